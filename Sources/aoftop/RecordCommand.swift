import ArgumentParser

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record", abstract: "(not yet)")

    func run() throws {
        throw fail("record: not yet")
    }
}
