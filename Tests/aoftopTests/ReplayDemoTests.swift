import AoftopTestSupport
import Foundation
import Testing

@Suite struct ReplayDemoTests {
    static let bundled = RepositoryPaths.root + "/Resources/demo-incident.jsonl.gz"

    @Test func theBundledIncidentEndsExhausted() throws {
        let result = try RecordReplay.aoftop(["replay", Self.bundled, "--json"])
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty, "\(result.standardError)")
        let objects = try RecordReplay.objects(result.standardOutput)
        #expect(objects.count >= 100)
        #expect(objects.first?["severity"] as? String == "ok")
        #expect(objects.first?.object("eta")?["status"] as? String == "warming-up")
        let last = try #require(objects.last)
        #expect(last.object("eta")?["status"] as? String == "exhausted")
        #expect(last["severity"] as? String == "critical")
        #expect(last.object("leak")?["suspected"] as? Bool == true)
        #expect(last.object("limit")?["setsize"] as? Int == 328)
        #expect((last.object("fork_failures")?["total"] as? Int ?? 0) > 100)
        // Healthy at first, then the leak is called out with an ETA before the limit is reached.
        #expect(objects.contains { $0.object("eta")?["status"] as? String == "rising" })
    }

    @Test func demoPlaysTheBuiltInRecordingOrTheOneFromTheEnvironment() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["AOFTOP_DEMO"] = nil
        let builtIn = try RecordReplay.aoftop(["demo", "--json"], environment: environment)
        #expect(builtIn.status == 0, "\(builtIn.standardError)")
        let direct = try RecordReplay.aoftop(["replay", Self.bundled, "--json"])
        #expect(builtIn.standardOutput == direct.standardOutput)

        environment["AOFTOP_DEMO"] = "/nonexistent/demo.jsonl.gz"
        let missing = try RecordReplay.aoftop(["demo", "--json"], environment: environment)
        #expect(missing.status == 1)
        #expect(RecordReplay.lines(missing.standardError).count == 1)
        #expect(missing.standardError.contains("AOFTOP_DEMO"))
    }
}
