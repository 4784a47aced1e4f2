import ArgumentParser

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Replay a real recorded incident: a Redis 7 driven into the pipe leak until new clients are refused.",
        discussion: """
        The recording is built into aoftop (a copy of Resources/demo-incident.jsonl.gz, made by \
        scripts/make-demo-recording). It starts healthy, then forks fail and every attempt leaks a pipe until the \
        event loop is full. Same keys as `aoftop replay`; try n to jump between markers. Set AOFTOP_DEMO to use \
        another file.
        """)

    @Option(help: ArgumentHelp("Playback speed, 1 to 64 (times recorded time).", valueName: "N"))
    var speed: Double = 4

    @Flag(help: "No terminal: print one assessment per snapshot as a JSON line.")
    var json = false

    func validate() throws {
        guard speed >= 1, speed <= 64 else { throw ValidationError("--speed must be between 1 and 64") }
    }

    func run() throws {
        let path: String
        do { path = try DemoRecording.path() } catch { throw fail(error.description) }
        try ReplayCommand.replayRecording(path: path, start: nil, speed: speed, json: json)
    }
}
