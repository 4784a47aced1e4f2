import Testing
@testable import Dashboard

/// `aoftop list`'s text table: full rows when piped, the overview's column choice when cut to a terminal.
@Suite struct InstanceTableTests {
    private var rows: [InstanceRow] { OverviewScenario.state().rows.map(\.row) }

    @Test func pipedRowsAreComplete() {
        let lines = InstanceRow.table(rows)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("INSTANCE") && lines[0].hasSuffix("DIAGNOSIS"))
        #expect(lines[1].hasPrefix("127.0.0.1:6381"), "the exhausted one first: \(lines)")
        let diagnoses = rows.sorted { $0.urgency < $1.urgency }.map { $0[.diagnosis] }
        for (line, diagnosis) in zip(lines.dropFirst(), diagnoses) {
            #expect(line.hasSuffix(diagnosis), "the whole diagnosis when piped: \(line)")
        }
    }

    @Test(arguments: [32, 40, 60, 80, 100, 132, 200])
    func terminalRowsFitAndKeepTheKeyColumns(width: Int) {
        let lines = InstanceRow.table(rows, width: width)
        for line in lines { #expect(line.count <= width, "\(line.count) > \(width): \(line)") }
        for title in ["INSTANCE", "PIPES", "ETA"] { #expect(lines[0].contains(title), "\(width): \(lines[0])") }
        #expect(lines[0].contains(" SEVERITY") || lines[0].hasSuffix(" SEV") || lines[0].contains(" SEV "), "\(width): \(lines[0])")
        #expect(lines[1].contains(":6381"), "the port stays visible: \(lines[1])")
        #expect(lines[1].contains("EXHAUSTED"), "\(lines[1])")
    }
}
