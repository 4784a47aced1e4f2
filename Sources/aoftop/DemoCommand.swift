import ArgumentParser

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not yet)")

    func run() throws {
        throw fail("demo: not yet")
    }
}
