import ArgumentParser

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Post-mortem of a Redis log: count, first and last time of every kind of line aoftop knows.")

    @Argument(help: ArgumentHelp("The Redis/Valkey log file.", valueName: "logfile"))
    var logfile: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        throw fail("scan: not wired yet")
    }
}
