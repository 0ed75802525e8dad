import NIOPosix

/// A value made once per second and per thread (the date parts of log lines): each event loop
/// thread has its own slot, so there is no lock and no shared state on the data path.
struct PerSecondCache<Value>: Sendable {
    /// @unchecked: each slot lives in one thread's variable and only that thread touches it.
    private final class Slot: @unchecked Sendable {
        var second = Int64.min
        var value: Value?
    }

    private let slots = ThreadSpecificVariable<Slot>()

    /// The value for `second`: this thread's cached one when it is the same second, else `make(second)`.
    func value(for second: Int64, _ make: (Int64) -> Value) -> Value {
        let slot: Slot
        if let existing = slots.currentValue {
            slot = existing
        } else {
            slot = Slot()
            slots.currentValue = slot
        }
        if slot.second != second || slot.value == nil {
            slot.value = make(second)
            slot.second = second
        }
        return slot.value!
    }
}
