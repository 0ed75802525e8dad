import Appliance
import NIOCore
import Testing

@Suite struct RepeatThrottleTests {
    let t0 = NIODeadline.uptimeNanoseconds(0)

    @Test func test_firstOccurrence_isLogged_repeatsWithinTheWindowAreNot() {
        var throttle = RepeatThrottle(window: .seconds(60))
        #expect(throttle.occurred("VI_1 authentication", now: t0) == .log(suppressed: 0))
        #expect(throttle.occurred("VI_1 authentication", now: t0 + .seconds(1)) == .suppress)
        #expect(throttle.occurred("VI_1 authentication", now: t0 + .seconds(59)) == .suppress)
    }

    @Test func test_firstOccurrenceAfterTheWindow_isLoggedWithTheCountLeftOut() {
        var throttle = RepeatThrottle(window: .seconds(60))
        _ = throttle.occurred("k", now: t0)
        for second in 1...5 { _ = throttle.occurred("k", now: t0 + .seconds(Int64(second))) }
        #expect(throttle.occurred("k", now: t0 + .seconds(60)) == .log(suppressed: 5))
        #expect(throttle.occurred("k", now: t0 + .seconds(61)) == .suppress)
    }

    @Test func test_keysAreThrottledApart() {
        var throttle = RepeatThrottle(window: .seconds(60))
        _ = throttle.occurred("VI_1 ttl", now: t0)
        #expect(throttle.occurred("VI_2 ttl", now: t0) == .log(suppressed: 0))
    }
}
