/// A TCP socket's state as the kernel lists it in `/proc/net/tcp` (`st`, hex, from `include/net/tcp_states.h`).
/// Encoded by name; the kernel's code is `kernelCode`.
public enum TCPState: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
    case established
    case synSent = "syn_sent"
    case synRecv = "syn_recv"
    case finWait1 = "fin_wait1"
    case finWait2 = "fin_wait2"
    case timeWait = "time_wait"
    /// Closed: a socket the kernel no longer lists (reset, or never connected) while an fd still holds it.
    case close
    /// The peer closed and this process has not: the classic fd leak of a server that misses EOF.
    case closeWait = "close_wait"
    case lastAck = "last_ack"
    case listen
    case closing
    /// A request socket (SYN received, handshake not finished); never held by an fd.
    case newSynRecv = "new_syn_recv"
    /// A code this build does not know (a newer kernel's).
    case unknown

    /// The state for the kernel's code (`0x01` ESTABLISHED … `0x0C` NEW_SYN_RECV); `.unknown` for any other.
    public init(kernelCode: UInt8) {
        let index = Int(kernelCode) - 1
        self = Self.byCode.indices.contains(index) ? Self.byCode[index] : .unknown
    }

    private static let byCode: [TCPState] = [.established, .synSent, .synRecv, .finWait1, .finWait2, .timeWait, .close,
                                             .closeWait, .lastAck, .listen, .closing, .newSynRecv]

    /// The kernel's code; 0 for `.unknown`.
    public var kernelCode: UInt8 {
        switch self {
        case .established: 0x01
        case .synSent: 0x02
        case .synRecv: 0x03
        case .finWait1: 0x04
        case .finWait2: 0x05
        case .timeWait: 0x06
        case .close: 0x07
        case .closeWait: 0x08
        case .lastAck: 0x09
        case .listen: 0x0A
        case .closing: 0x0B
        case .newSynRecv: 0x0C
        case .unknown: 0
        }
    }

    /// In kernel order (`.unknown` last), so listings are stable.
    public static func < (a: TCPState, b: TCPState) -> Bool {
        (a.kernelCode == 0 ? 0xFF : a.kernelCode) < (b.kernelCode == 0 ? 0xFF : b.kernelCode)
    }
}
