import AoftopModel
import Glibc

/// Counts the entries of one `/proc/PID/fd` directory by link target.
///
/// This is the hot loop of aoftop (10,000+ fds per sample at the interesting moment), so it works on raw bytes
/// with buffers kept across scans: one `readlinkat` per fd, prefix compares, inode digits parsed by hand, no
/// `String` and no heap allocation per fd. Not thread-safe: the owning collector serialises access.
final class FdScanner {
    /// What one scan found, before listening sockets are matched (that needs the socket tables).
    struct Result {
        var census: FdCensus
        /// Inodes of the `socket:[…]` fds, in directory order; valid until the next scan.
        var socketInodes: [UInt64]
    }

    enum Failure: Error {
        case open(Int32)
        case read(Int32)
    }

    /// Link targets longer than this are truncated; only the first few dozen bytes matter for classification.
    private static let linkCapacity = 4096
    /// fd numbers above this are counted but not tracked for `lowestFreeFd` and `holes` (keeps a hostile tree from
    /// allocating a huge bitmap; the kernel's own `nr_open` ceiling is 2^20 by default).
    private static let maxTrackedFd = 1 << 24
    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    private let link = UnsafeMutablePointer<UInt8>.allocate(capacity: FdScanner.linkCapacity)
    private var pipeInodes: [UInt64] = []
    private var socketInodes: [UInt64] = []
    private var openBitmap: [UInt64] = []
    private var anonKinds = AnonKindTable()

    deinit { link.deallocate() }

    /// Scans the fd directory `name` opened relative to the directory fd `base` (the process's `/proc/PID`).
    /// With `isSelf`, the scan's own fds (`base` and the directory being read) are left out, so sampling the
    /// calling process reports what it would see without the collector.
    func scan(_ name: UnsafePointer<CChar>, relativeTo base: Int32, isSelf: Bool = false) -> Swift.Result<Result, Failure> {
        let dirFd = openat(base, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFd < 0 { return .failure(.open(errno)) }
        guard let dir = fdopendir(dirFd) else {
            let error = errno
            close(dirFd)
            return .failure(.open(error))
        }
        defer { closedir(dir) }

        // Work on locals: array mutation through a class property in the loop would pay exclusivity checks.
        var pipes = pipeInodes
        var sockets = socketInodes
        var bitmap = openBitmap
        pipeInodes = []
        socketInodes = []
        openBitmap = []
        pipes.removeAll(keepingCapacity: true)
        sockets.removeAll(keepingCapacity: true)
        for i in bitmap.indices { bitmap[i] = 0 }
        anonKinds.reset()
        defer {
            pipeInodes = pipes
            socketInodes = sockets
            openBitmap = bitmap
        }

        var total = 0, regular = 0, other = 0, highest = -1
        let link = self.link
        let capacity = FdScanner.linkCapacity
        let ownA = isSelf ? Int(base) : -1
        let ownB = isSelf ? Int(dirFd) : -1
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { return .failure(.read(errno)) }
                break
            }
            let entryName = UnsafeRawPointer(entry).advanced(by: FdScanner.nameOffset)
                .assumingMemoryBound(to: CChar.self)
            // Parse the fd number by hand; skips `.` and `..` (and anything else that is not a number).
            var fd = 0
            var k = 0
            while true {
                let c = UInt8(bitPattern: entryName[k])
                if c == 0 { break }
                guard c &- 0x30 < 10, fd < Int(Int32.max) else { fd = -1; break }
                fd = fd &* 10 &+ Int(c &- 0x30)
                k += 1
            }
            if k == 0 || fd < 0 || fd == ownA || fd == ownB { continue }

            let n = readlinkat(dirFd, entryName, UnsafeMutableRawPointer(link).assumingMemoryBound(to: CChar.self), capacity)
            if n < 0 {
                // Closed between readdir and readlinkat: it is simply not open any more.
                if errno == ENOENT { continue }
                other += 1
            } else {
                switch FdScanner.classify(link, n) {
                case .socket:
                    sockets.append(FdScanner.inode(link, n, from: FdScanner.socketInodeStart))
                case .pipe:
                    pipes.append(FdScanner.inode(link, n, from: FdScanner.pipeInodeStart))
                case .anonInode:
                    anonKinds.count(link + FdScanner.anonKindStart, n - FdScanner.anonKindStart)
                case .regularFile:
                    regular += 1
                case .other:
                    other += 1
                }
            }
            total += 1
            if fd > highest { highest = fd }
            if fd <= FdScanner.maxTrackedFd {
                let word = fd >> 6
                if word >= bitmap.count { bitmap.append(contentsOf: repeatElement(0, count: word + 1 - bitmap.count)) }
                bitmap[word] |= 1 << UInt64(fd & 63)
            }
        }

        let holes = FdScanner.clearBits(bitmap, below: highest, limit: FdCensus.maxHoles)
        let census = FdCensus(
            total: total, sockets: sockets.count, listeningSockets: 0, pipes: pipes.count,
            selfHeldPipePairs: FdScanner.selfHeldPairs(&pipes), anonInodes: anonKinds.dictionary(),
            regularFiles: regular, other: other, highestFd: highest, lowestFreeFd: holes.first ?? highest + 1,
            // Every counted fd has a distinct number in 0...highest: the free ones are what the count leaves.
            holes: holes, holeCount: max(holes.count, highest + 1 - total))
        return .success(Result(census: census, socketInodes: sockets))
    }

    enum Kind { case socket, pipe, anonInode, regularFile, other }

    private static let socketPrefix: StaticString = "socket:["
    private static let pipePrefix: StaticString = "pipe:["
    private static let anonPrefix: StaticString = "anon_inode:"
    /// Where the inode number or the anon kind starts: just past the prefix `classify` matched, derived from it.
    private static let socketInodeStart = socketPrefix.utf8CodeUnitCount
    private static let pipeInodeStart = pipePrefix.utf8CodeUnitCount
    private static let anonKindStart = anonPrefix.utf8CodeUnitCount
    private static let devPrefix: StaticString = "/dev/"
    private static let memfdPrefix: StaticString = "/memfd:"

    @inline(__always)
    private static func hasPrefix(_ link: UnsafeMutablePointer<UInt8>, _ n: Int, _ prefix: StaticString) -> Bool {
        n >= prefix.utf8CodeUnitCount && memcmp(link, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// Classifies a link target. A path is a regular file unless it is under `/dev/` or a memfd; a deleted file
    /// (`/path (deleted)`, e.g. a rewrite's temp AOF) is still an open regular file and counts as one. Directories
    /// also show as paths and count as files: telling them apart would cost a `stat` per fd.
    @inline(__always)
    static func classify(_ link: UnsafeMutablePointer<UInt8>, _ n: Int) -> Kind {
        guard n > 0 else { return .other }
        switch link[0] {
        case 0x2F:  // '/'
            if hasPrefix(link, n, devPrefix) || hasPrefix(link, n, memfdPrefix) { return .other }
            return .regularFile
        case 0x73:  // 's'
            return hasPrefix(link, n, socketPrefix) ? .socket : .other
        case 0x70:  // 'p'
            return hasPrefix(link, n, pipePrefix) ? .pipe : .other
        case 0x61:  // 'a'
            return hasPrefix(link, n, anonPrefix) ? .anonInode : .other
        default:
            return .other
        }
    }

    /// The decimal inode after a `kind:[` prefix, up to `]`; 0 if there are no digits (never a real inode).
    @inline(__always)
    static func inode(_ link: UnsafeMutablePointer<UInt8>, _ n: Int, from start: Int) -> UInt64 {
        var value: UInt64 = 0
        var i = start
        while i < n {
            let d = link[i] &- 0x30
            if d >= 10 { break }
            value = value &* 10 &+ UInt64(d)
            i += 1
        }
        return value
    }

    /// Number of distinct pipe inodes that occur at least twice. Sorts `inodes` in place; pipes are created in
    /// order, so the array is nearly sorted and this is close to linear.
    static func selfHeldPairs(_ inodes: inout [UInt64]) -> Int {
        guard inodes.count > 1 else { return 0 }
        inodes.sort()
        var pairs = 0
        var i = 1
        while i < inodes.count {
            if inodes[i] == inodes[i - 1] && inodes[i] != 0 {
                pairs += 1
                // Skip the rest of this run: three fds on one pipe are still one self-held pipe.
                let value = inodes[i]
                while i < inodes.count && inodes[i] == value { i += 1 }
            } else {
                i += 1
            }
        }
        return pairs
    }

    /// The lowest `limit` bit numbers below `end` that are not set, ascending. Walks whole words and stops as soon
    /// as `limit` are found, so a dense table costs one compare per 64 fds. Numbers past the bitmap (fds above
    /// `maxTrackedFd`, never tracked) are not reported; the census's `holeCount` still counts them.
    static func clearBits(_ bitmap: [UInt64], below end: Int, limit: Int) -> [Int] {
        var found: [Int] = []
        let words = min(bitmap.count, (max(end, 0) + 63) >> 6)
        var word = 0
        while word < words && found.count < limit {
            var free = ~bitmap[word]
            let base = word << 6
            // Only numbers below `end` (the highest open fd) are holes; the rest of the last word is beyond it.
            if end - base < 64 { free &= (1 << UInt64(end - base)) &- 1 }
            while free != 0 && found.count < limit {
                found.append(base + free.trailingZeroBitCount)
                free &= free &- 1
            }
            word += 1
        }
        return found
    }
}

/// Counts `anon_inode:` fds by kind without a `String` per fd: kinds are few (eventpoll, eventfd, inotify…),
/// so names are kept as bytes and a `String` is made once per kind when the census is built.
struct AnonKindTable {
    private var names: [[UInt8]] = []
    private var counts: [Int] = []

    mutating func reset() {
        for i in counts.indices { counts[i] = 0 }
    }

    /// Counts one fd whose target after `anon_inode:` is `bytes[0..<n]`; `[eventpoll]` is stored as `eventpoll`.
    mutating func count(_ bytes: UnsafeMutablePointer<UInt8>, _ n: Int) {
        var start = bytes
        var length = max(n, 0)
        if length >= 2 && start[0] == 0x5B && start[length - 1] == 0x5D {
            start += 1
            length -= 2
        }
        for i in names.indices where names[i].count == length {
            let same = length == 0 || names[i].withUnsafeBufferPointer { memcmp($0.baseAddress!, start, length) == 0 }
            if same {
                counts[i] += 1
                return
            }
        }
        // A kind not seen before by this collector: the only allocation, once per kind.
        names.append(Array(UnsafeBufferPointer(start: start, count: length)))
        counts.append(1)
    }

    func dictionary() -> [String: Int] {
        var result: [String: Int] = [:]
        for i in names.indices where counts[i] > 0 {
            result[names[i].isEmpty ? "unknown" : String(decoding: names[i], as: UTF8.self)] = counts[i]
        }
        return result
    }
}
