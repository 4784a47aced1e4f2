import AoftopModel
import ArgumentParser
import FoundationEssentials
import Glibc
import LogCollector

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Post-mortem of a Redis/Valkey log: count, first and last time of every kind of line aoftop knows.",
        discussion: """
        What operators did by hand with `grep "Can't rewrite append only file" redis.log | wc -l`, for every kind \
        at once, plus fork and pipe failures per minute. Year-less (3.x to 6.x) lines take their year from the file's \
        modification time.
        """)

    @Argument(help: ArgumentHelp("The Redis/Valkey log file.", valueName: "logfile"))
    var logfile: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let report: LogScanReport
        do {
            report = try LogScanner().scan(path: logfile)
        } catch {
            throw fail(error.description)
        }
        if json {
            var data = try AoftopJSON.encoder(pretty: true).encode(report)
            data.append(0x0A)
            StandardOutput.write(data)
        } else {
            print(report.renderTable(), terminator: "")
        }
    }
}
