import AoftopModel
import Glibc

/// What one process's sockets are, remembered per inode across samples (one ledger per pid + start time).
///
/// A socket's addresses, and so its role and peer, never change while it lives: they are decoded the first time its
/// inode is met in a table and kept. Its state and queues do change, and are overwritten at every table read. The
/// fd list is matched against the ledger on every sample (an index probe per fd); the tables are read only when
/// `read` is called. Not thread-safe: the owning sampler serialises access.
final class SocketLedger {
    /// Which table listed the socket.
    enum Table: UInt8 {
        /// Opened since the last table read.
        case unread
        /// In none of the tables at the last read.
        case none
        case tcp, tcp6, unix
    }

    struct Entry {
        var inode: UInt64
        var table = Table.unread
        var listening = false
        var local = IPAddress.anyV4
        var localPort: UInt16 = 0
        var remote = IPAddress.anyV4
        var remotePort: UInt16 = 0
        /// Index into `paths`; -1 for none.
        var unixPath: Int32 = -1
        /// Kernel state code, send and receive queue as of the last read that listed the socket.
        var state: UInt8 = 0
        var sendQueue: UInt32 = 0
        var receiveQueue: UInt32 = 0
        /// The sample in which an fd last held the inode, and the read that last listed it.
        var lastSample: UInt32 = 0
        var lastRead: UInt32 = 0

        init(inode: UInt64) { self.inode = inode }
    }

    let startTicks: UInt64
    private(set) var entries: [Entry] = []
    private var index = InodeIndex()
    /// Unix paths met, interned: accepted sockets all carry their listener's path.
    private(set) var paths: [String] = []
    private var pathSlots: [String: Int32] = [:]
    /// Entry index of every socket fd of the current sample, in fd order (an inode held twice appears twice).
    private(set) var slots: [Int32] = []
    private var sample: UInt32 = 0
    private var reads: UInt32 = 0

    /// When the tables were last read (monotonic ns), what that cost, and what the samples since cost without them.
    private(set) var lastReadAt: UInt64?
    private(set) var lastReadCost: UInt64 = 0
    private(set) var costSinceRead: UInt64 = 0

    init(startTicks: UInt64) { self.startTicks = startTicks }

    /// Matches this sample's socket fds (`inodes`, from the fd scan) against the ledger. An inode not held in the
    /// previous sample starts afresh, so a number the kernel reused never inherits another socket's facts.
    func track(_ inodes: [UInt64], sampleCost: UInt64) {
        sample &+= 1
        costSinceRead &+= sampleCost
        slots.removeAll(keepingCapacity: true)
        for inode in inodes where inode != 0 {
            let (slot, inserted) = index.slot(of: inode, inserting: Int32(entries.count))
            let i = Int(slot)
            if inserted {
                entries.append(Entry(inode: inode))
            } else if entries[i].lastSample != sample && entries[i].lastSample != sample &- 1 {
                entries[i] = Entry(inode: inode)
            }
            entries[i].lastSample = sample
            slots.append(slot)
        }
        // Closed sockets stay until they outnumber the live ones; then the ledger is rebuilt from the live ones.
        if entries.count > 2 * slots.count + 1024 { compact() }
    }

    /// Reads the three tables of the namespace `pidDir` belongs to and updates every socket held in this sample.
    /// A table that cannot be read (no IPv6) lists nothing. A held socket no table lists is `.none` (other), or,
    /// if it was a TCP socket listed before, closed.
    func read(relativeTo pidDir: Int32, buffer: ByteBuffer) {
        reads &+= 1
        if buffer.load("net/tcp", relativeTo: pidDir) == nil { readTCP(buffer.bytes, ipv6: false) }
        if buffer.load("net/tcp6", relativeTo: pidDir) == nil { readTCP(buffer.bytes, ipv6: true) }
        if buffer.load("net/unix", relativeTo: pidDir) == nil { readUnix(buffer.bytes) }
        for slot in slots {
            let i = Int(slot)
            guard entries[i].lastRead != reads else { continue }
            switch entries[i].table {
            case .unread, .none:
                entries[i].table = .none
            case .tcp, .tcp6:
                // Listed before, held still, listed no more: the kernel unhashes a TCP socket when it reaches
                // CLOSE (reset by the peer, or shut down) while the process keeps the fd.
                entries[i].state = TCPState.close.kernelCode
                entries[i].sendQueue = 0
                entries[i].receiveQueue = 0
            case .unix:
                break  // every unix socket is listed while it exists: missed only in a race with its close
            }
        }
    }

    /// Records when a read happened and what it cost, and starts a new accounting period.
    func noteRead(at time: UInt64, cost: UInt64) {
        lastReadAt = time
        lastReadCost = cost
        costSinceRead = 0
    }

    /// The entry of a live socket of this sample listed by `inode`, or nil.
    @inline(__always)
    private func liveEntry(_ inode: UInt64) -> Int? {
        guard let slot = index.slot(of: inode) else { return nil }
        let i = Int(slot)
        return entries[i].lastSample == sample ? i : nil
    }

    private func readTCP(_ bytes: UnsafeBufferPointer<UInt8>, ipv6: Bool) {
        SocketRows.forEachTCP(bytes, ipv6: ipv6, wanted: { liveEntry($0) != nil }) { inode, row in
            guard let i = liveEntry(inode), let state = row.stateCode, let queues = row.queues else { return }
            // One read and one write of the entry: each access to the array through `self` is checked.
            var entry = entries[i]
            if entry.table == .unread || entry.table == .none {
                guard let local = row.localEndpoint, let remote = row.remoteEndpoint else { return }
                entry.table = ipv6 ? .tcp6 : .tcp
                entry.listening = state == TCPState.listen.kernelCode
                (entry.local, entry.localPort) = local
                (entry.remote, entry.remotePort) = remote
            }
            entry.state = state
            entry.sendQueue = queues.send
            entry.receiveQueue = queues.receive
            entry.lastRead = reads
            entries[i] = entry
        }
    }

    private func readUnix(_ bytes: UnsafeBufferPointer<UInt8>) {
        SocketRows.forEachUnix(bytes) { inode, row in
            guard let i = liveEntry(inode) else { return }
            if entries[i].table == .unread || entries[i].table == .none {
                entries[i].table = .unix
                entries[i].listening = row.isListening
                entries[i].unixPath = row.path.isEmpty ? -1 : intern(row.pathString)
            }
            entries[i].lastRead = reads
        }
    }

    private func intern(_ path: String) -> Int32 {
        if let slot = pathSlots[path] { return slot }
        let slot = Int32(paths.count)
        paths.append(path)
        pathSlots[path] = slot
        return slot
    }

    private func compact() {
        var kept: [Entry] = []
        kept.reserveCapacity(slots.count)
        var rebuilt = InodeIndex(minimumCapacity: slots.count)
        for k in slots.indices {
            let (slot, inserted) = rebuilt.slot(of: entries[Int(slots[k])].inode, inserting: Int32(kept.count))
            if inserted { kept.append(entries[Int(slots[k])]) }
            slots[k] = slot
        }
        entries = kept
        index = rebuilt
    }
}
