/// A literal a line starts with and the offset just past it, where the field it introduces begins. The offset is
/// derived from the literal once, so rewording the literal cannot leave a hand-counted number behind.
struct LinePrefix {
    let text: StaticString
    let end: Int

    init(_ text: StaticString) {
        self.text = text
        end = text.utf8CodeUnitCount
    }
}

extension ByteLine {
    @inline(__always) func starts(with prefix: LinePrefix) -> Bool { has(prefix.text, at: 0) }
}
