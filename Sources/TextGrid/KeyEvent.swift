/// A key press, decoded by the terminal layer, consumed by the dashboard's `update`.
public enum KeyEvent: Sendable, Hashable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
    /// F1…F12.
    case function(Int)
}
