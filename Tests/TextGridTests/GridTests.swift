import Testing
@testable import TextGrid

@Suite struct GridTests {
    @Test func writesClipAtTheEdgeAndAtMaxWidth() {
        var grid = Grid(size: GridSize(columns: 10, rows: 2))
        #expect(grid.write("pipes 9823 fds", row: 0, column: 2, role: .warn) == 8)
        #expect(grid.text(row: 0) == "  pipes 98")
        #expect(grid.roles(row: 0) == "..wwwwwwww")
        #expect(grid.write("abcdef", row: 1, column: 1, maxWidth: 3) == 3)
        #expect(grid.text(row: 1) == " abc      ")
        #expect(grid.write("x", row: 2, column: 0) == 0)
        #expect(grid.write("x", row: -1, column: 0) == 0)
        #expect(grid.write("xyz", row: 1, column: -2) == 1)
        #expect(grid.text(row: 1) == "zabc      ")
    }

    @Test func wideCharactersTakeTwoColumnsAndNeverHalfFit() {
        var grid = Grid(size: GridSize(columns: 5, rows: 1))
        #expect(grid.write("日本x", row: 0, column: 0) == 5)
        #expect(grid.text(row: 0) == "日本x")
        #expect(grid[0, 1].isContinuation)
        var tight = Grid(size: GridSize(columns: 3, rows: 1))
        tight.write("a日本", row: 0, column: 0)
        #expect(tight.text(row: 0) == "a日")
        var clipped = Grid(size: GridSize(columns: 2, rows: 1))
        clipped.write("a日", row: 0, column: 0)
        #expect(clipped.text(row: 0) == "a ")
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        var grid = Grid(size: GridSize(columns: 8, rows: 1))
        grid.write("a\u{1B}[2Jb\tc", row: 0, column: 0)
        #expect(grid.text(row: 0) == "a?[2Jb?c")
        grid.write("e\u{301}x", row: 0, column: 0)
        #expect(grid.text(row: 0).hasPrefix("ex"))
    }

    @Test func rightAlignmentFillAndRoles() {
        var grid = Grid(size: GridSize(columns: 10, rows: 1))
        #expect(grid.writeRightAligned("12 s", row: 0, rightEdge: 10, role: .critical) == 6)
        grid.fill(row: 0, column: 0, width: 3, with: "#", role: .chart)
        grid.setRole(.selected, row: 0, column: 1, width: 1)
        #expect(grid.text(row: 0) == "###   12 s")
        #expect(grid.roles(row: 0) == "gsg...cccc")
    }

    @Test func changedRowsDriveTheRedraw() {
        var a = Grid(size: GridSize(columns: 4, rows: 3))
        a.write("ok", row: 1, column: 0)
        var b = a
        #expect(b.changedRows(since: a).isEmpty)
        b.setRole(.warn, row: 2, column: 0, width: 1)
        #expect(b.changedRows(since: a) == [2])
        #expect(b.changedRows(since: nil) == [0, 1, 2])
        #expect(Grid(size: GridSize(columns: 5, rows: 3)).changedRows(since: a) == [0, 1, 2])
    }

    @Test func placeCopiesClipped() {
        var outer = Grid(size: GridSize(columns: 4, rows: 2))
        var inner = Grid(size: GridSize(columns: 3, rows: 3))
        inner.write("abc", row: 0, column: 0, role: .header)
        inner.write("def", row: 1, column: 0)
        outer.place(inner, row: 1, column: 2)
        #expect(outer.text == "    \n  ab")
        #expect(outer.golden == "    \n  ab\n--\n....\n..hh\n")
    }

    @Test func goldenLettersRoundTrip() {
        for role in CellRole.allCases { #expect(CellRole(goldenLetter: role.goldenLetter) == role) }
        #expect(CellRole(goldenLetter: "?") == nil)
    }

    @Test func widths() {
        #expect(CharacterWidth.of("pipes") == 5)
        #expect(CharacterWidth.of("─│█▁") == 4)
        #expect(CharacterWidth.of("管道") == 4)
        #expect(CharacterWidth.of("e\u{301}") == 1)
        #expect(Glyphs.ascii.sparkline.count == Glyphs.unicode.sparkline.count)
    }
}
