import Foundation
import Testing
import AoftopTestSupport

/// Every replay key in a real terminal, over the bundled incident recording.
@Suite(.serialized) struct ReplayKeysEndToEndTests {
    static let recording = RepositoryPaths.root + "/Resources/demo-incident.jsonl.gz"

    /// `▶  4×  18:56:28 +22s …` → (speed 4, offset 22, playing true); `+1.5s` → offset 1.5.
    static func playhead(_ screen: String) -> (speed: Int, offset: Double, playing: Bool)? {
        for line in screen.split(separator: "\n") where line.contains("×  ") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let speedIndex = words.firstIndex(where: { $0.hasSuffix("×") }),
                  let speed = Int(words[speedIndex].dropLast()),
                  let offsetWord = words.dropFirst(speedIndex).first(where: { $0.hasPrefix("+") && $0.hasSuffix("s") }),
                  let offset = Double(offsetWord.dropFirst().dropLast()) else { continue }
            return (speed, offset, !line.hasPrefix("‖"))
        }
        return nil
    }

    @Test func everyReplayKeyMovesThePlayhead() throws {
        let session = try DashboardEndToEndTests.startDashboard(["replay", Self.recording, "--speed", "1"],
                                                                 columns: 120, rows: 36)
        defer { session.kill() }
        func screen() -> String { DashboardEndToEndTests.screen(session) }
        func head() -> (speed: Int, offset: Double, playing: Bool)? { Self.playhead(screen()) }
        func waitHead(_ predicate: @escaping ((speed: Int, offset: Double, playing: Bool)) -> Bool) -> Bool {
            session.waitFor { Self.playhead($0).map(predicate) ?? false }
        }

        #expect(session.waitFor(text: "REPLAY"), "\(screen())")
        #expect(waitHead { $0.speed == 1 && $0.playing }, "\(screen())")

        try session.sendKeys("Space")                                   // pause
        #expect(waitHead { !$0.playing } && session.waitFor(text: "PAUSED"), "\(screen())")

        try session.sendKeys("End")                                     // last snapshot
        #expect(waitHead { $0.offset >= 60 }, "\(screen())")
        let end = try #require(head()).offset
        try session.sendKeys("Home")                                    // first snapshot
        #expect(waitHead { $0.offset == 0 }, "\(screen())")

        try session.sendKeys("Right", "Right", "Right", "Right")        // four snapshots, recorded ~0.5 s apart
        #expect(waitHead { abs($0.offset - 2) <= 0.3 }, "\(screen())")
        try session.sendKeys("Left", "Left")
        #expect(waitHead { abs($0.offset - 1) <= 0.3 }, "\(screen())")

        try session.sendKeys("]")                                       // +1 min (clamped to the end)
        #expect(waitHead { $0.offset >= 60 }, "\(screen())")
        try session.sendKeys("[")                                       // −1 min
        #expect(waitHead { $0.offset <= 6 }, "\(screen())")
        try session.sendKeys("}")                                       // +10 min → end
        #expect(waitHead { $0.offset == end }, "\(screen())")
        try session.sendKeys("{")                                       // −10 min → start
        #expect(waitHead { $0.offset == 0 }, "\(screen())")

        try session.sendKeys("n")                                       // first marker: the first fork failure
        #expect(waitHead { $0.offset > 0 && $0.offset < end }, "\(screen())")
        let firstMarker = try #require(head()).offset
        try session.sendKeys("n")
        #expect(waitHead { $0.offset > firstMarker }, "\(screen())")
        try session.sendKeys("N")
        #expect(waitHead { $0.offset == firstMarker }, "\(screen())")

        let beforeGo = try #require(head()).offset
        try session.sendKeys("g")                                       // go to a time, relative to the playhead
        try session.sendLiteral("+30s")
        try session.sendKeys("Enter")
        #expect(waitHead { abs($0.offset - (beforeGo + 30)) <= 1 }, "\(screen())")
        let afterGo = try #require(head()).offset
        try session.sendKeys("g")
        try session.sendLiteral("yesterday")
        try session.sendKeys("Enter")                                   // a bad time: a message, no move
        #expect(session.waitFor { $0.contains("yesterday") || $0.lowercased().contains("time") }, "\(screen())")
        #expect(head()?.offset == afterGo)

        try session.sendKeys(">", ">")                                  // 4×
        #expect(waitHead { $0.speed == 4 }, "\(screen())")
        try session.sendKeys("<")
        #expect(waitHead { $0.speed == 2 }, "\(screen())")

        try session.sendKeys("?")                                       // help lists the replay keys
        #expect(session.waitFor { $0.contains("go to") && $0.contains("speed") }, "\(screen())")
        try session.sendKeys("Escape")

        try session.sendKeys("Space")                                   // play again, to the end
        #expect(waitHead { $0.playing }, "\(screen())")
        try session.sendKeys("End")
        #expect(session.waitFor(text: "EXHAUSTED"), "the incident must end exhausted: \(screen())")

        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED 0"), "\(screen())")
    }
}
