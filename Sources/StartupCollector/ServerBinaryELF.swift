/// The parts of an ELF file worth scanning for strings: its `.rodata*` sections, or the whole file when it has no
/// section headers (a `sstrip`ped binary). 32- and 64-bit, either byte order; every offset is checked against the
/// file size before it is used.
enum ServerBinaryELF {
    struct Range: Equatable {
        var offset: UInt64
        var size: UInt64
    }

    enum Problem: Error {
        case read(Int32)
        case notELF
        case truncated
    }

    /// Larger section tables or name tables than this are not a server binary's; the file is then scanned whole.
    private static let tableLimit = 8 << 20

    static func stringRanges(in file: ServerBinaryFile) -> Result<[Range], Problem> {
        Result { () throws(Problem) in try ranges(in: file) }
    }

    private static func ranges(in file: ServerBinaryFile) throws(Problem) -> [Range] {
        let whole = [Range(offset: 0, size: file.size)]
        guard let ident = try read(file, 0, 16), ident.starts(with: [0x7f, 0x45, 0x4c, 0x46]) else {
            throw .notELF
        }
        let wide = ident[4] == 2
        guard ident[4] == 1 || wide, ident[5] == 1 || ident[5] == 2 else { throw .notELF }
        let fields = Fields(wide: wide, bigEndian: ident[5] == 2)
        let headerSize = wide ? 64 : 52
        guard let header = try read(file, 0, headerSize) else { throw .truncated }

        let sectionTable = fields.word(header, wide ? 40 : 32)
        let entrySize = Int(fields.half(header, wide ? 58 : 46))
        var count = UInt64(fields.half(header, wide ? 60 : 48))
        var namesIndex = UInt64(fields.half(header, wide ? 62 : 50))
        let minimumEntry = wide ? 64 : 40
        guard sectionTable != 0, entrySize >= minimumEntry else { return whole }
        if count == 0 || namesIndex == 0xffff { // extended numbering: the real values live in section 0
            guard let first = try read(file, sectionTable, entrySize) else { throw .truncated }
            if count == 0 { count = fields.word(first, wide ? 32 : 20) }
            if namesIndex == 0xffff { namesIndex = UInt64(fields.u32(first, wide ? 40 : 24)) }
        }
        guard count > 0, namesIndex < count else { return whole }
        let (tableBytes, overflow) = count.multipliedReportingOverflow(by: UInt64(entrySize))
        guard !overflow, tableBytes <= UInt64(tableLimit) else { return whole }
        guard sectionTable <= file.size, tableBytes <= file.size - sectionTable else { throw .truncated }
        guard let table = try read(file, sectionTable, Int(tableBytes)) else { throw .truncated }

        func section(_ index: Int) -> (name: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64) {
            let base = index * entrySize
            return (fields.u32(table, base), fields.u32(table, base + 4),
                    fields.word(table, base + 8),
                    fields.word(table, base + (wide ? 24 : 16)), fields.word(table, base + (wide ? 32 : 20)))
        }
        let names = section(Int(namesIndex))
        guard names.size <= UInt64(tableLimit) else { return whole }
        guard names.offset <= file.size, names.size <= file.size - names.offset,
              let nameBytes = try read(file, names.offset, Int(names.size)) else { throw .truncated }

        let rodata = Array(".rodata".utf8)
        var ranges: [Range] = []
        for index in 0..<Int(count) {
            let entry = section(index)
            // SHT_PROGBITS, SHF_ALLOC and not SHF_EXECINSTR: read-only data loaded with the program.
            guard entry.type == 1, entry.flags & 0x2 != 0, entry.flags & 0x4 == 0 else { continue }
            let start = Int(min(UInt64(entry.name), UInt64(nameBytes.count)))
            guard nameBytes[start...].starts(with: rodata) else { continue }
            let next = start + rodata.count
            guard next == nameBytes.count || nameBytes[next] == 0 || nameBytes[next] == UInt8(ascii: ".") else { continue }
            guard entry.offset <= file.size, entry.size <= file.size - entry.offset else { throw .truncated }
            if entry.size > 0 { ranges.append(Range(offset: entry.offset, size: entry.size)) }
        }
        return ranges.isEmpty ? whole : ranges
    }

    /// `nil` when the bytes lie past the end of the file.
    private static func read(_ file: ServerBinaryFile, _ offset: UInt64, _ count: Int) throws(Problem) -> [UInt8]? {
        switch file.bytes(at: offset, count: count) {
        case let .success(bytes): return bytes
        case let .failure(error): throw .read(error.code)
        }
    }

    /// Header fields at fixed offsets, in the file's byte order; the word size follows the class.
    private struct Fields {
        let wide: Bool
        let bigEndian: Bool

        func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
            let (a, b) = (UInt16(bytes[at]), UInt16(bytes[at + 1]))
            return bigEndian ? a << 8 | b : b << 8 | a
        }

        func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
            let (a, b) = (UInt32(u16(bytes, at)), UInt32(u16(bytes, at + 2)))
            return bigEndian ? a << 16 | b : b << 16 | a
        }

        func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
            let (a, b) = (UInt64(u32(bytes, at)), UInt64(u32(bytes, at + 4)))
            return bigEndian ? a << 32 | b : b << 32 | a
        }

        func half(_ bytes: [UInt8], _ at: Int) -> UInt16 { u16(bytes, at) }
        func word(_ bytes: [UInt8], _ at: Int) -> UInt64 { wide ? u64(bytes, at) : UInt64(u32(bytes, at)) }
    }
}
