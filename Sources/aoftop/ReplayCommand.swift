import ArgumentParser

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "(not yet)")

    func run() throws {
        throw fail("replay: not yet")
    }
}
