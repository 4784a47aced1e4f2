import AoftopPipeline
import Dashboard

/// Runs the ncurses dashboard over a snapshot source until the operator quits.
enum DashboardRunner {
    /// Returns the process exit status (0 on `q`, 128 + signal on SIGINT/SIGTERM/SIGHUP).
    static func run(source: any SnapshotSource, mode: DashboardMode, interval: Double) throws -> Int32 {
        throw fail("the dashboard is not wired yet")
    }
}
