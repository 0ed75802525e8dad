import Appliance
import NIOCore
import Testing

@Suite struct LivenessStateTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let tuning = LivenessState.Tuning(interval: .milliseconds(200), fastInterval: .milliseconds(50), fall: 2, rise: 2)

    @Test func test_startsUp_andGoodProbesKeepItUpSilently() {
        var state = LivenessState(tuning: tuning)
        #expect(state.isUp)
        #expect(state.probeFinished(failure: nil, now: start) == .probeAgain(at: start + .milliseconds(200)))
    }

    @Test func test_fewerThanFallFailures_doNotTakeItDown_butTheNextRoundComesAtFastInterval() {
        var state = LivenessState(tuning: tuning)
        #expect(state.probeFinished(failure: "refused", now: start) == .probeAgain(at: start + .milliseconds(50)))
        #expect(state.isUp)
    }

    @Test func test_fallConsecutiveFailures_publishDown() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeFinished(failure: "refused", now: start)
        let action = state.probeFinished(failure: "refused", now: start + .milliseconds(50))
        #expect(action == .publish(up: false, reason: "2 failed probes, last: refused", nextProbe: start + .milliseconds(250)))
        #expect(!state.isUp)
    }

    @Test func test_successBetweenFailures_resetsTheFallCount() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeFinished(failure: "refused", now: start)
        // Back in agreement: the normal interval again.
        #expect(state.probeFinished(failure: nil, now: start + .milliseconds(50)) == .probeAgain(at: start + .milliseconds(250)))
        #expect(state.probeFinished(failure: "refused", now: start + .milliseconds(250)) == .probeAgain(at: start + .milliseconds(300)))
        #expect(state.isUp)
    }

    @Test func test_riseConsecutiveSuccessesAfterDown_publishUp() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeFinished(failure: "x", now: start)
        _ = state.probeFinished(failure: "x", now: start)
        #expect(state.probeFinished(failure: nil, now: start) == .probeAgain(at: start + .milliseconds(50)))
        #expect(state.probeFinished(failure: nil, now: start) == .publish(up: true, reason: "2 good probes", nextProbe: start + .milliseconds(200)))
    }

    @Test func test_failureWhileRising_restartsTheRiseCount() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeFinished(failure: "x", now: start)
        _ = state.probeFinished(failure: "x", now: start)
        _ = state.probeFinished(failure: nil, now: start)
        #expect(state.probeFinished(failure: "x", now: start) == .probeAgain(at: start + .milliseconds(200)))
        #expect(state.probeFinished(failure: nil, now: start) == .probeAgain(at: start + .milliseconds(50)))
        #expect(!state.isUp)
    }

    @Test func test_proxyStopped_publishesDownImmediately_onlyOnce() {
        var state = LivenessState(tuning: tuning)
        #expect(state.proxyStopped(reason: "proxy service stopped", now: start) == .publish(up: false, reason: "proxy service stopped", nextProbe: start + .milliseconds(200)))
        #expect(state.proxyStopped(reason: "again", now: start) == .probeAgain(at: start + .milliseconds(200)))
    }

    @Test func test_fallOfOne_takesItDownOnFirstFailure() {
        var state = LivenessState(tuning: .init(interval: .milliseconds(100), fall: 1, rise: 1))
        #expect(state.probeFinished(failure: "timeout", now: start) == .publish(up: false, reason: "1 failed probes, last: timeout", nextProbe: start + .milliseconds(100)))
    }

    @Test func test_skippedRound_withTheProxyNotAccepting_isAFailure() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeSkipped(accepting: false, now: start)
        #expect(state.probeSkipped(accepting: false, now: start) == .publish(
            up: false, reason: "2 failed probes, last: proxy not accepting connections", nextProbe: start + .milliseconds(200)))
    }

    @Test func test_afterFailedConnects_theProxysOwnWordCannotRaiseItWithinTheHoldDown() {
        var state = LivenessState(tuning: .init(interval: .milliseconds(200), fall: 2, rise: 2, holdDown: .seconds(10)))
        _ = state.probeFinished(failure: "refused", now: start)
        _ = state.probeFinished(failure: "refused", now: start)
        #expect(!state.isUp)
        for second in 1...9 {
            _ = state.probeSkipped(accepting: true, now: start + .seconds(Int64(second)))
        }
        #expect(!state.isUp, "held down for 10 s")
        _ = state.probeSkipped(accepting: true, now: start + .seconds(10))
        #expect(state.probeSkipped(accepting: true, now: start + .seconds(10) + .milliseconds(200))
            == .publish(up: true, reason: "2 good probes", nextProbe: start + .seconds(10) + .milliseconds(400)))
    }

    @Test func test_afterAStop_theProxysOwnWordRaisesItAfterRise() {
        var state = LivenessState(tuning: tuning)
        _ = state.proxyStopped(reason: "crashed", now: start)
        _ = state.probeSkipped(accepting: true, now: start + .milliseconds(200))
        #expect(state.probeSkipped(accepting: true, now: start + .milliseconds(400))
            == .publish(up: true, reason: "2 good probes", nextProbe: start + .milliseconds(600)))
    }

    @Test func test_realConnectsAfterFailedConnects_riseWithoutHoldDown() {
        var state = LivenessState(tuning: tuning)
        _ = state.probeFinished(failure: "refused", now: start)
        _ = state.probeFinished(failure: "refused", now: start)
        _ = state.probeFinished(failure: nil, now: start + .milliseconds(200))
        #expect(state.probeFinished(failure: nil, now: start + .milliseconds(400))
            == .publish(up: true, reason: "2 good probes", nextProbe: start + .milliseconds(600)))
    }
}
