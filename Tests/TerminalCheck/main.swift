// TerminalCheck: draws a known screen with CursesUI and echoes decoded keys, so the terminal layer can be tested
// in tmux without the dashboard.
//
//   TerminalCheck          draw, echo keys, quit on q
//   TerminalCheck crash    draw, then trap (tests the fatal-path restore)
//   TerminalCheck --bytes  also redraw once a second with one changing field (bytes-per-refresh measurement)
//   TerminalCheck --ignore-sighup   ignore SIGHUP after start, so a closed terminal is noticed by reads alone
//   TerminalCheck --tty-keys        keys from /dev/tty (stdin is a pipe, as with `aoftop --log -`); shows the bytes
//                                   read from stdin meanwhile, which curses must leave alone
import CursesUI
import Glibc
import TextGrid

let arguments = Array(CommandLine.arguments.dropFirst())
let crash = arguments.contains("crash")
let bytesMode = arguments.contains("--bytes")
let ignoreHangupSignal = arguments.contains("--ignore-sighup")
let ttyKeys = arguments.contains("--tty-keys")

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

let terminal: Terminal
do {
    terminal = try Terminal.start(input: ttyKeys ? .controllingTerminal : .standardInput)
} catch {
    printError("\(error)")
    exit(2)
}

if ignoreHangupSignal { signal(SIGHUP, SIG_IGN) }

var lastKey = "none"
var ticks = 0
/// Bytes read from stdin with `--tty-keys` (nil: stdin not read).
var stdinBytes: Int? = nil
if ttyKeys {
    stdinBytes = 0
    _ = fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK)
}

/// `count` plus what stdin has now (non-blocking).
func readStandardInput(_ count: Int?) -> Int? {
    guard var count else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let got = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if got <= 0 { break }
        count += got
    }
    return count
}

func describe(_ key: KeyEvent) -> String {
    switch key {
    case .character(let character): "character(\(character))"
    case .function(let number): "F\(number)"
    default: "\(key)"
    }
}

func render(_ size: GridSize, capabilities: TerminalCapabilities, lastKey: String, ticks: Int, stdinBytes: Int? = nil) -> Grid {
    var grid = Grid(size: size)
    let glyphs = capabilities.glyphs
    grid.write("TerminalCheck", row: 0, column: 0, role: .header)
    grid.write("size \(size.columns)x\(size.rows) TERM \(capabilities.term) colors \(capabilities.colorMode.rawValue) pid \(getpid())",
               row: 1, column: 0)
    var box = String(glyphs.topLeft) + String(repeating: String(glyphs.horizontal), count: 3) + String(glyphs.topRight)
    box += " " + glyphs.sparkline.map(String.init).joined()
    box += " " + String(repeating: String(glyphs.barFull), count: 3) + String(glyphs.barMark)
        + String(repeating: String(glyphs.barEmpty), count: 3)
    let used = grid.write("glyphs " + box, row: 2, column: 0, role: .chart)
    // Wide and non-ASCII text: must stay column-aligned (as `? ` in a C locale).
    grid.write(" wide 日本é|", row: 2, column: used)
    var column = 0
    for role in CellRole.allCases {
        column += grid.write(" \(role)", row: 3, column: column, role: role)
    }
    grid.write("last key: \(lastKey)", row: 4, column: 0)
    if bytesMode { grid.write("tick \(ticks)", row: 5, column: 0, role: .dim) }
    if let stdinBytes { grid.write("stdin bytes \(stdinBytes)", row: 6, column: 0) }
    grid.write("q quits", row: size.rows - 1, column: 0, role: .key)
    // The bottom-right cell is written on purpose: it must not scroll the screen.
    grid.write("#", row: size.rows - 1, column: size.columns - 1, role: .critical)
    return grid
}

terminal.draw(render(terminal.size, capabilities: terminal.capabilities, lastKey: lastKey, ticks: ticks))
// A stray stderr write while drawing: must not reach the screen now, but appear once the terminal is restored.
printError("TerminalCheck: stderr while drawing")
if crash {
    fatalError("TerminalCheck crash requested")
}

var exitStatus: Int32 = 0
loop: while true {
    switch terminal.nextEvent(timeoutMilliseconds: 1000) {
    case .key(.character("q")):
        terminal.printAfterStop("TerminalCheck: quit")
        break loop
    case .key(let key):
        lastKey = describe(key)
    case .resize:
        break
    case .signal(let signal):
        exitStatus = Terminal.exitStatus(for: signal)
        break loop
    case .hangup:
        exitStatus = 1
        break loop
    case nil:
        ticks += 1
    }
    stdinBytes = readStandardInput(stdinBytes)
    terminal.draw(render(terminal.size, capabilities: terminal.capabilities, lastKey: lastKey, ticks: ticks,
                         stdinBytes: stdinBytes))
}
terminal.stop()
exit(exitStatus)
