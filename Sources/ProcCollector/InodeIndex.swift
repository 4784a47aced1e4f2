/// Socket inode → slot, by open addressing with linear probing: the join of 10,000+ fds with tables of as many rows
/// costs one multiply and a probe or two per lookup, with no hashing of `Hashable` and no allocation once grown.
/// Inode 0 marks an empty bucket (the kernel never gives a socket inode 0). Slots are never removed one by one:
/// the owner rebuilds the index when it compacts.
struct InodeIndex {
    private var keys: [UInt64]
    private var slots: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 64
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        keys = Array(repeating: 0, count: capacity)
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private func bucket(_ inode: UInt64) -> Int {
        // Fibonacci hashing: inodes are mostly consecutive numbers, the multiply spreads them over the buckets.
        Int(truncatingIfNeeded: (inode &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot stored for `inode`, or nil.
    @inline(__always)
    func slot(of inode: UInt64) -> Int32? {
        guard inode != 0 else { return nil }
        var b = bucket(inode)
        while true {
            let key = keys[b]
            if key == inode { return slots[b] }
            if key == 0 { return nil }
            b = (b + 1) & mask
        }
    }

    /// The slot of `inode`; stores `newSlot` for it first when it is not there (`inserted` then tells).
    mutating func slot(of inode: UInt64, inserting newSlot: Int32) -> (slot: Int32, inserted: Bool) {
        precondition(inode != 0, "inode 0 marks an empty bucket")
        if (count + 1) * 2 > keys.count { grow() }
        var b = bucket(inode)
        while true {
            let key = keys[b]
            if key == inode { return (slots[b], false) }
            if key == 0 {
                keys[b] = inode
                slots[b] = newSlot
                count += 1
                return (newSlot, true)
            }
            b = (b + 1) & mask
        }
    }

    private mutating func grow() {
        var bigger = InodeIndex(minimumCapacity: keys.count)
        for (b, key) in keys.enumerated() where key != 0 { _ = bigger.slot(of: key, inserting: slots[b]) }
        self = bigger
    }
}
