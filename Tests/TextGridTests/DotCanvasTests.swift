import Testing
@testable import TextGrid

@Suite struct DotCanvasTests {
    let ink = DotCanvas.Ink(role: .chart, mark: "#")

    @Test func brailleDotsCountFromTheBottomLeft() {
        var canvas = DotCanvas(columns: 2, rows: 2, braille: true)
        #expect(canvas.width == 4 && canvas.height == 8)
        canvas.plot(x: 0, y: 0, ink) // bottom-left dot of the bottom-left cell: dot 7
        canvas.plot(x: 3, y: 7, ink) // top-right dot of the top-right cell: dot 4
        canvas.plot(x: 1, y: 4, ink) // lowest right dot of the top-left cell: dot 8
        canvas.plot(x: 9, y: 0, ink) // outside: ignored
        var grid = Grid(size: GridSize(columns: 3, rows: 2))
        canvas.draw(into: &grid, row: 0, column: 1)
        #expect(grid.text(row: 0) == " ⢀⠈")
        #expect(grid.text(row: 1) == " ⡀ ")
        #expect(grid.roles(row: 0) == ".gg")
        #expect(canvas.cell(x: 3, y: 7) == (column: 1, row: 0))
    }

    @Test func withoutBrailleEachDotIsACellWithTheLastInksMark() {
        var canvas = DotCanvas(columns: 4, rows: 2, braille: false)
        canvas.line(from: 0, 0, to: 3, 1, ink)
        canvas.plot(x: 3, y: 1, DotCanvas.Ink(role: .critical, mark: "X"))
        var grid = Grid(size: GridSize(columns: 4, rows: 2))
        canvas.draw(into: &grid, row: 0, column: 0)
        #expect(grid.text == "  #X\n##  ")
        #expect(grid.roles(row: 0) == "..gc")
    }

    @Test func aDottedLineSkipsItsFirstDotAndEveryOtherOne() {
        var canvas = DotCanvas(columns: 6, rows: 1, braille: false)
        canvas.line(from: 0, 0, to: 5, 0, ink, every: 2)
        var grid = Grid(size: GridSize(columns: 6, rows: 1))
        canvas.draw(into: &grid, row: 0, column: 0)
        #expect(grid.text == " # # #")
    }

    @Test func emptyCanvasesAndClippedDrawsDoNotCrash() {
        for (columns, rows) in [(0, 0), (0, 3), (3, 0), (-1, -1)] {
            var canvas = DotCanvas(columns: columns, rows: rows, braille: true)
            canvas.line(from: 0, 0, to: 5, 5, ink)
            var grid = Grid(size: GridSize(columns: 2, rows: 2))
            canvas.draw(into: &grid, row: 0, column: 0)
            #expect(grid.text == "  \n  ")
        }
        var canvas = DotCanvas(columns: 3, rows: 3, braille: false)
        canvas.line(from: 0, 0, to: 2, 2, ink)
        var grid = Grid(size: GridSize(columns: 2, rows: 2))
        canvas.draw(into: &grid, row: -1, column: 1) // the top row and the right column fall outside
        #expect(grid.text == "  \n #")
    }
}
