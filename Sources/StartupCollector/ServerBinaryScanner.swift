#if canImport(Glibc)
import Glibc
#endif

/// Collects, from the NUL-terminated strings of a binary's read-only data fed in chunks of any size, what
/// `ServerBinaryReader` needs: the `x.y.z` strings, the build-id literal, and which server's markers appear.
/// The rule that turns them into a kind and a version is documented on `ServerBinaryReader`.
struct ServerBinaryScanner {
    struct Identity: Equatable {
        var server: String
        var version: String
    }

    private enum Marker: Int, CaseIterable {
        case valkeyInfoField, valkeyBanner, redisInfoField, redisBanner, redisVersionFlag, redis2Banner

        var bytes: [UInt8] {
            switch self {
            case .valkeyInfoField: Array("valkey_version:%s".utf8)
            case .valkeyBanner: Array("Valkey version=".utf8)
            case .redisInfoField: Array("redis_version:%s".utf8)
            case .redisBanner: Array("Redis version=".utf8)
            case .redisVersionFlag: Array("Redis server v=".utf8)
            case .redis2Banner: Array("Server started, Redis version ".utf8)
            }
        }

        var isValkey: Bool { self == .valkeyInfoField || self == .valkeyBanner }
    }

    /// Strings are only looked at in their last this many printable bytes (a build-id literal is under 100).
    private static let tailLimit = 256
    /// Bytes without a NUL kept across chunks before they are given up as not a string.
    private static let carryLimit = 1 << 16
    private static let markers = Marker.allCases.map(\.bytes)

    private var carry: [UInt8] = []
    private var markersSeen = Set<Int>()
    /// `x.y.z` strings: each component 1–5 digits, at the end of a string, not preceded by a digit or a dot.
    private var versions = Set<[UInt8]>()
    /// Strings ending the way the build-id literal does (digits, then eight hex digits), with a dot in them.
    private var buildIDs: [[UInt8]] = []
    /// The version in Redis ≤ 2.6's concatenated banner `Server started, Redis version 2.6.17`.
    private var bannerVersion: [UInt8]?

    mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        guard chunk.count > 0 else { return }
        var lastNUL = chunk.count - 1 // strings are short: the last NUL is a few bytes from the end
        while lastNUL >= 0, chunk[lastNUL] != 0 { lastNUL -= 1 }
        guard lastNUL >= 0 else {
            carry.append(contentsOf: chunk)
            if carry.count > Self.carryLimit { flushCarry() }
            return
        }
        let complete = lastNUL + 1
        if carry.isEmpty {
            examine(UnsafeRawBufferPointer(rebasing: chunk[0..<complete]))
        } else {
            carry.append(contentsOf: chunk[0..<complete])
            flushCarry()
        }
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[complete..<chunk.count]))
    }

    /// The end of a section: a string cut off there ends there.
    mutating func endOfRange() { flushCarry() }

    private mutating func flushCarry() {
        let pending = carry
        carry.removeAll(keepingCapacity: true)
        pending.withUnsafeBytes { examine($0) }
    }

    /// `buffer` holds whole strings; the last may lack its NUL.
    private mutating func examine(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        for (index, marker) in Self.markers.enumerated() where !markersSeen.contains(index) {
            guard let hit = find(marker, in: buffer) else { continue }
            markersSeen.insert(index)
            if index == Marker.redis2Banner.rawValue {
                let after = hit + marker.count
                let rest = UnsafeRawBufferPointer(rebasing: buffer[after..<min(buffer.count, after + 32)])
                bannerVersion = Self.leadingVersion(Array(rest))
            }
        }
        var start = 0
        while start < buffer.count {
            let end: Int
            if let nul = memchr(base + start, 0, buffer.count - start) {
                end = base.distance(to: UnsafeRawPointer(nul))
            } else {
                end = buffer.count
            }
            if end > start { examineString(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) }
            start = end + 1
        }
    }

    private mutating func examineString(_ string: UnsafeRawBufferPointer) {
        // The printable end of the string: a literal can follow binary constants with no NUL between (Debian's
        // build id follows the double 2147483647.0, whose last byte is an `A`).
        var tailStart = string.count
        while tailStart > 0, string.count - tailStart < Self.tailLimit,
              (0x20...0x7e).contains(string[tailStart - 1]) {
            tailStart -= 1
        }
        let tail = UnsafeRawBufferPointer(rebasing: string[tailStart...])
        guard tail.count >= 5, Self.isDigit(tail[tail.count - 1]) || Self.isHex(tail[tail.count - 1]) else { return }
        if let version = Self.trailingVersion(tail) { versions.insert(version) }
        if buildIDs.count < 64, Self.looksLikeBuildID(tail) { buildIDs.append(Array(tail)) }
    }

    func identity() -> Identity? {
        let valkeyMarked = markersSeen.contains { Marker(rawValue: $0)?.isValkey == true }
        let redisMarked = markersSeen.contains { Marker(rawValue: $0)?.isValkey == false }
        let longestFirst = versions.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var matches: [(version: [UInt8], valkeyPrefix: Bool)] = []
        for literal in buildIDs {
            if let match = Self.versionStarting(buildID: literal, among: longestFirst) { matches.append(match) }
        }
        // Only a server holds these format strings; `valkey-cli` has the build id but not them.
        guard valkeyMarked || redisMarked else { return nil }
        if let valkey = matches.first(where: \.valkeyPrefix) {
            return Identity(server: "valkey", version: String(decoding: valkey.version, as: UTF8.self))
        }
        if let match = matches.first {
            return Identity(server: valkeyMarked ? "valkey" : "redis", version: String(decoding: match.version, as: UTF8.self))
        }
        if let banner = bannerVersion, !valkeyMarked {
            return Identity(server: "redis", version: String(decoding: banner, as: UTF8.self))
        }
        return nil
    }

    /// The longest known version that begins `VERSION BUILD_ID DIRTY SHA1` inside `literal` (after `valkey`, or
    /// after stray printable bytes of a preceding constant): the rest must be `[host-]digits` ending in eight hex
    /// digits of the Git SHA1 preceded by at least two digits (epoch seconds and the dirty count).
    private static func versionStarting(buildID literal: [UInt8], among versions: [[UInt8]])
        -> (version: [UInt8], valkeyPrefix: Bool)? {
        for version in versions where version.count < literal.count {
            var position = 0
            while position + version.count < literal.count {
                defer { position += 1 }
                guard literal[position] == version[0],
                      literal[position..<(position + version.count)].elementsEqual(version) else { continue }
                if position > 0, isDigit(literal[position - 1]) || literal[position - 1] == UInt8(ascii: ".") { continue }
                let rest = literal[(position + version.count)...]
                guard rest.first != UInt8(ascii: "."), rest.allSatisfy(isBuildIDByte) else { continue }
                let segment = rest.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).last ?? rest[...]
                guard segment.count >= 10, segment.suffix(8).allSatisfy(isHex),
                      segment.dropLast(8).allSatisfy(isDigit) else { continue }
                let valkey = position >= 6 && literal[(position - 6)..<position].elementsEqual("valkey".utf8)
                return (version, valkey)
            }
        }
        return nil
    }

    private static func looksLikeBuildID(_ tail: UnsafeRawBufferPointer) -> Bool {
        guard tail.count >= 16, tail.contains(UInt8(ascii: ".")) else { return false }
        let end = tail.count
        for index in (end - 8)..<end where !isHex(tail[index]) { return false }
        return isDigit(tail[end - 9]) && isDigit(tail[end - 10])
    }

    /// `x.y.z` at the very end of `bytes`, not preceded by a digit or a dot.
    private static func trailingVersion(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var index = bytes.count
        for part in 0..<3 {
            let partEnd = index
            while index > 0, isDigit(bytes[index - 1]), partEnd - index < 6 { index -= 1 }
            let digits = partEnd - index
            guard digits >= 1, digits <= 5 else { return nil }
            if part < 2 {
                guard index > 0, bytes[index - 1] == UInt8(ascii: ".") else { return nil }
                index -= 1
            }
        }
        if index > 0, isDigit(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: ".") { return nil }
        return Array(bytes[index...])
    }

    /// `x.y.z` at the start of `bytes`, ended by anything but a digit or a dot.
    private static func leadingVersion(_ bytes: [UInt8]) -> [UInt8]? {
        var index = 0
        for part in 0..<3 {
            let partStart = index
            while index < bytes.count, isDigit(bytes[index]), index - partStart < 6 { index += 1 }
            guard (1...5).contains(index - partStart) else { return nil }
            if part < 2 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
        }
        if index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") { return nil }
        return Array(bytes[..<index])
    }

    /// The offset of `needle` (not empty) in `haystack`: `memchr` for its first byte, then `memcmp`.
    private func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard let base = haystack.baseAddress, let first = needle.first else { return nil }
        return needle.withUnsafeBytes { pattern -> Int? in
            var offset = 0
            while haystack.count - offset >= needle.count {
                guard let hit = memchr(base + offset, Int32(first), haystack.count - offset - needle.count + 1) else {
                    return nil
                }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, pattern.baseAddress!, needle.count) == 0 { return at }
                offset = at + 1
            }
            return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x66) }
    /// What `uname -n`, `-`, epoch digits, the dirty count and a SHA1 are made of.
    private static func isBuildIDByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }
}
