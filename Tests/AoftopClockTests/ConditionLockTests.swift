import Glibc
import Synchronization
import Testing
@testable import AoftopClock

@Suite struct ConditionLockTests {
    @Test func aTimedWaitEndsAtItsMonotonicDeadline() {
        let lock = ConditionLock(0)
        let start = MonotonicClock.now()
        let value = lock.wait(until: start + 0.2) { $0 > 0 ? $0 : nil }
        let waited = MonotonicClock.now() - start
        #expect(value == nil)
        #expect(waited >= 0.2)
        #expect(waited < 10)
    }

    @Test func aWaiterSeesEveryUpdateFromAnotherThread() {
        let lock = ConditionLock(0)
        let rounds = 2_000
        #expect(DetachedThread.start(name: "test-producer") {
            for _ in 0..<rounds {
                // Each value is taken by the waiter before the next is made.
                lock.wait { value, _ in value == 0 ? .done(()) : .wait(until: nil) }
                lock.update { $0 = 1 }
            }
        })
        var seen = 0
        for _ in 0..<rounds {
            let got = lock.wait(until: MonotonicClock.now() + 20) { value -> Int? in
                guard value == 1 else { return nil }
                value = 0
                return 1
            }
            lock.update { _ in }
            guard got != nil else { break }
            seen += 1
        }
        #expect(seen == rounds, "a wake-up was lost")
    }

    @Test func aSimulatedDeadlineEndsOnlyWhenTheClockGetsThere() {
        let clock = SimulatedClock()
        let lock = ConditionLock(false, clock: .simulated(clock))
        let probe = Probe()
        let deadline = clock.now + 5
        #expect(DetachedThread.start(name: "test-sim-wait") {
            _ = lock.wait(until: deadline) { $0 ? true : nil }
            probe.note("woke")
        })
        clock.advance(by: 4)
        clock.stepWall(by: 3600)
        settle()
        #expect(probe.count("woke") == 0)
        clock.advance(by: 1)
        #expect(probe.eventually { probe.count("woke") == 1 })
    }

    @Test func aDetachedThreadRunsOnceUnderItsName() {
        let probe = Probe()
        let name = Mutex<String>("")
        #expect(DetachedThread.start(name: "aoftop-test-thread-long-name") {
            var buffer = [UInt8](repeating: 0, count: 64)
            let descriptor = open("/proc/thread-self/comm", O_RDONLY)
            let count = read(descriptor, &buffer, buffer.count)
            close(descriptor)
            name.withLock { $0 = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) }
            probe.note("ran")
        })
        #expect(probe.eventually { probe.count("ran") == 1 })
        #expect(name.withLock { $0 } == "aoftop-test-thr\n")
    }
}
