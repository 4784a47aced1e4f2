import AoftopAnalysis
import AoftopModel
import TextGrid

/// One server as discovery found it: the key of its row (`127.0.0.1:6379`, a socket path or `pid 1838`), its
/// process and its TCP ports.
public struct OverviewMember: Sendable, Equatable {
    public var name: String
    public var pid: Int32?
    public var ports: [Int]

    public init(name: String, pid: Int32?, ports: [Int]) {
        self.name = name
        self.pid = pid
        self.ports = ports
    }
}

/// One instance of the overview: what discovery said about it, its whole dashboard (fed every snapshot whether
/// it is shown or not, so opening it shows full sparklines and events at once), and whether it went away.
public struct OverviewInstance: Sendable {
    public internal(set) var member: OverviewMember
    public internal(set) var dashboard: DashboardState
    /// When rediscovery stopped finding it (its collectors are stopped, its row stays); `nil` while it runs.
    public internal(set) var goneSince: Timestamp?
    /// The latest assessment made while its process could be read: what a gone row shows (the figures at the
    /// crash, not the `?` of the samples after it).
    public internal(set) var lastAlive: Assessment?
    /// When its collectors were (re)started: a first sample that never comes greys the row too.
    public internal(set) var watchedSince: Timestamp?

    /// Where its row sorts: a gone server has no ETA, so it sorts after every live one with a trend.
    var urgency: Urgency {
        Urgency(assessment: goneSince == nil ? dashboard.assessment : nil, name: member.name)
    }
}

/// Which screen is up: the table, or one instance's dashboard.
public enum OverviewScreen: Sendable, Equatable {
    case overview
    case detail(String)
}

/// Many instances at once: the overview table sorted by urgency, and one full dashboard per instance behind it.
/// A value, changed only by `update(_:_:)` with `OverviewMessage`s, drawn by `render(_:size:glyphs:)`.
public struct OverviewState: Sendable {
    /// Seconds between rediscoveries (the help and the empty table say it).
    public var rediscoverySeconds: Double
    /// A gone server's row is dropped this long after it went (unless its dashboard is open).
    public var goneRetentionSeconds: Double

    public internal(set) var instances: [String: OverviewInstance] = [:]
    /// The selected instance, by name: the most urgent until the operator moves the cursor, then that instance
    /// wherever the order moves it.
    public internal(set) var selected: String?
    /// The operator moved the cursor (or opened an instance): the selection no longer tracks the top row.
    public internal(set) var selectionChosen = false
    public internal(set) var screen: OverviewScreen = .overview
    public internal(set) var helpVisible = false
    /// The first table row on screen (rows scroll to keep the selection visible).
    public internal(set) var top = 0
    public internal(set) var size = GridSize(columns: 80, rows: 24)
    /// The latest wall time from `.tick`.
    public internal(set) var now: Timestamp?
    /// This host's name, for the title bar.
    public var host: String
    /// Sampling interval of new instances, seconds.
    public var interval: Double
    public var timeZoneOffsetSeconds: Int

    public init(host: String, interval: Double = 1, timeZoneOffsetSeconds: Int = 0, rediscoverySeconds: Double = 10,
                goneRetentionSeconds: Double = 600) {
        self.rediscoverySeconds = rediscoverySeconds
        self.goneRetentionSeconds = goneRetentionSeconds
        self.host = host
        self.interval = interval
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
    }

    /// Every instance as a table row, most urgent first.
    public var rows: [OverviewRow] {
        instances.values.map { OverviewRow($0, now: now, timeZoneOffsetSeconds: timeZoneOffsetSeconds) }
            .sorted { $0.row.urgency < $1.row.urgency }
    }

    /// Instance names in table order (cheaper than `rows`: no cells are formatted).
    var order: [String] {
        instances.values.map(\.urgency).sorted().map(\.name)
    }
}
