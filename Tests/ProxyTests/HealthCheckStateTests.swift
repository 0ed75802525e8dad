import NIOCore
import Testing
@testable import Proxy

/// HAProxy rise/fall with inter/fastinter/downinter, on a virtual clock.
@Suite struct HealthCheckStateTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func machine(rise: Int = 2, fall: Int = 3) -> HealthCheckState {
        HealthCheckState(rise: rise, fall: fall, inter: .seconds(2), fastinter: .milliseconds(500),
                         downinter: .seconds(5), now: t0)
    }

    @Test func test_upServer_goesDownAfterFallConsecutiveFailures() {
        var m = machine()
        #expect(m.record(.failed("Layer4 connection refused"), now: t0) == nil)
        #expect(m.record(.failed("Layer4 connection refused"), now: t0) == nil)
        #expect(m.record(.failed("Layer4 connection refused"), now: t0) == .transition(up: false, reason: "Layer4 connection refused"))
        #expect(!m.isUp)
    }

    @Test func test_successBetweenFailures_resetsTheFallCount() {
        var m = machine()
        _ = m.record(.failed("x"), now: t0)
        _ = m.record(.failed("x"), now: t0)
        _ = m.record(.passed("ok"), now: t0)
        #expect(m.record(.failed("x"), now: t0) == nil)
        #expect(m.record(.failed("x"), now: t0) == nil)
        #expect(m.isUp)
    }

    @Test func test_downServer_comesUpAfterRiseConsecutiveSuccesses() {
        var m = machine(rise: 2, fall: 1)
        _ = m.record(.failed("Layer7 wrong status 503"), now: t0)
        #expect(!m.isUp)
        #expect(m.record(.passed("Layer7 check passed: 200"), now: t0) == nil)
        #expect(m.record(.passed("Layer7 check passed: 200"), now: t0) == .transition(up: true, reason: "Layer7 check passed: 200"))
    }

    @Test func test_intervals_followInterFastinterDowninter() {
        var m = machine()
        #expect(m.interval == .seconds(2))
        _ = m.record(.failed("x"), now: t0)
        #expect(m.interval == .milliseconds(500))
        #expect(m.nextCheck == t0 + .milliseconds(500))
        _ = m.record(.failed("x"), now: t0)
        _ = m.record(.failed("x"), now: t0)
        #expect(m.interval == .seconds(5))
    }
}
