import NIOCore
import Netlink
import Testing

@testable import VRRP

/// `vrrp_witness` in the state machine: a Master_Down_Timer expiring on silence asks the shell
/// to confirm the witness or the peer answers before claiming; claims with evidence of the peer
/// (its priority 0 advert, its peer-link FIN) are not delayed.
@Suite struct WitnessClaimTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let me = IPAddress("198.18.0.11")!
    let peer = IPAddress("198.18.0.10")!
    let vip = IPAddress("198.18.0.100")!

    func at(_ milliseconds: Int64) -> NIODeadline { Self.t0 + .milliseconds(milliseconds) }

    func machine(witness: Bool = true) -> VRRPStateMachine {
        var parameters = VirtualRouterParameters(
            virtualRouterID: 51, version: .v3, priority: 240, advertisementInterval: .seconds(1), primaryAddress: me)
        parameters.confirmsClaimWithWitness = witness
        return VRRPStateMachine(parameters: parameters)
    }

    func advert(priority: UInt8) -> Advertisement {
        Advertisement(version: .v3, virtualRouterID: 51, priority: priority, intervalCentiseconds: 100, addresses: [vip])
    }

    /// A BACKUP whose master's last advert arrived at 500 ms; returns it and when its timer expires.
    func silentBackup(witness: Bool = true) -> (VRRPStateMachine, NIODeadline) {
        var m = machine(witness: witness)
        _ = m.start(now: Self.t0)
        _ = m.advertisementReceived(advert(priority: 250), from: peer, now: at(500))
        return (m, at(500) + m.masterDownInterval)
    }

    @Test func test_silentMasterDown_withWitness_asksForReachabilityInsteadOfClaiming() {
        var (m, due) = silentBackup()
        #expect(m.masterDownTimerExpired(now: due) == [.confirmReachability])
        #expect(m.state == .backup)
        #expect(m.pendingClaim == .masterDownTimerExpired)
    }

    @Test func test_silentMasterDown_withoutWitness_claimsAtOnce() {
        var (m, due) = silentBackup(witness: false)
        _ = m.masterDownTimerExpired(now: due)
        #expect(m.state == .master)
    }

    @Test func test_reachabilityConfirmed_claimsWithTheOriginalReason() {
        var (m, due) = silentBackup()
        _ = m.masterDownTimerExpired(now: due)
        let actions = m.reachabilityConfirmed(now: due + .milliseconds(2))
        #expect(m.state == .master)
        #expect(actions.contains(.transition(from: .backup, to: .master, reason: .masterDownTimerExpired)))
        #expect(actions.contains(.addVirtualAddresses))
    }

    @Test func test_reachabilityUnconfirmed_staysBackupAndWaitsAnotherMasterDownInterval() {
        var (m, due) = silentBackup()
        _ = m.masterDownTimerExpired(now: due)
        let later = due + .seconds(1)
        #expect(m.reachabilityUnconfirmed(now: later) == [.claimWithheld, .armMasterDownTimer(later + m.masterDownInterval)])
        #expect(m.state == .backup)
        #expect(m.pendingClaim == nil)
        // The next expiry asks again.
        #expect(m.masterDownTimerExpired(now: later + m.masterDownInterval) == [.confirmReachability])
    }

    @Test func test_advertWhileAsking_cancelsTheClaim_lateConfirmationDoesNothing() {
        var (m, due) = silentBackup()
        _ = m.masterDownTimerExpired(now: due)
        _ = m.advertisementReceived(advert(priority: 250), from: peer, now: due + .milliseconds(1))
        #expect(m.reachabilityConfirmed(now: due + .milliseconds(2)) == [])
        #expect(m.state == .backup)
    }

    @Test func test_confirmationWithoutAsking_doesNothing() {
        var (m, _) = silentBackup()
        #expect(m.reachabilityConfirmed(now: at(600)) == [])
        #expect(m.reachabilityUnconfirmed(now: at(600)) == [])
        #expect(m.state == .backup)
    }

    @Test func test_faultWhileAsking_lateConfirmationDoesNothing() {
        var (m, due) = silentBackup()
        _ = m.masterDownTimerExpired(now: due)
        _ = m.faultDetected(reason: "vrrp_witness 198.18.0.12: isolated", now: due + .milliseconds(1))
        #expect(m.reachabilityConfirmed(now: due + .milliseconds(2)) == [])
        #expect(m.state == .fault)
    }

    @Test func test_masterResigned_claimsAfterSkewTimeWithoutAsking() {
        var (m, _) = silentBackup()
        _ = m.advertisementReceived(advert(priority: 0), from: peer, now: at(900))
        _ = m.masterDownTimerExpired(now: at(900) + m.skewTime)
        #expect(m.state == .master)
    }

    @Test func test_peerLinkClosed_crashTakeoverIsNotDelayed() {
        var (m, _) = silentBackup()
        _ = m.peerLinkClosed(now: at(900), peerWasMaster: true)
        _ = m.masterDownTimerExpired(now: at(930))
        #expect(m.state == .master)
    }
}

/// `vrrp_witness`'s isolation verdict: FAULT after `fall` rounds reaching neither the peer nor
/// the witness; any one of echo, advert or peer link counts as reaching the peer.
@Suite struct WitnessRoundsTests {
    typealias Round = WitnessRounds.Round
    static let nothing = Round(witnessAnswered: false, peerAnswered: false)

    @Test func test_startsNotIsolated() {
        #expect(!WitnessRounds(rise: 1, fall: 3).isolated)
    }

    @Test func test_fallRoundsReachingNeither_isolates_notBefore() {
        var rounds = WitnessRounds(rise: 1, fall: 3)
        #expect(rounds.roundEnded(Self.nothing).isolated == nil)
        #expect(rounds.roundEnded(Self.nothing).isolated == nil)
        #expect(rounds.roundEnded(Self.nothing).isolated == true)
        #expect(rounds.isolated)
    }

    @Test(arguments: [
        Round(witnessAnswered: true, peerAnswered: false),
        Round(witnessAnswered: false, peerAnswered: true),
        Round(witnessAnswered: false, peerAnswered: false, advertHeard: true),
        Round(witnessAnswered: false, peerAnswered: false, peerLinkUp: true),
    ])
    func test_anyOneReached_isNotIsolation(round: Round) {
        var rounds = WitnessRounds(rise: 1, fall: 1)
        for _ in 0..<5 { #expect(rounds.roundEnded(round).isolated == nil) }
        #expect(!rounds.isolated)
    }

    @Test func test_witnessLostAlone_isReportedButIsNotIsolation() {
        var rounds = WitnessRounds(rise: 1, fall: 1)
        let change = rounds.roundEnded(Round(witnessAnswered: false, peerAnswered: true))
        #expect(change.witnessReachable == false)
        #expect(change.isolated == nil)
        #expect(!rounds.isolated)
    }

    @Test func test_anAnsweredRoundResetsTheFallCount() {
        var rounds = WitnessRounds(rise: 1, fall: 2)
        _ = rounds.roundEnded(Self.nothing)
        _ = rounds.roundEnded(Round(witnessAnswered: true, peerAnswered: false))
        #expect(rounds.roundEnded(Self.nothing).isolated == nil)
        #expect(rounds.roundEnded(Self.nothing).isolated == true)
    }

    @Test func test_riseRoundsReachingEither_endIsolation() {
        var rounds = WitnessRounds(rise: 2, fall: 1)
        _ = rounds.roundEnded(Self.nothing)
        #expect(rounds.isolated)
        #expect(rounds.roundEnded(Round(witnessAnswered: true, peerAnswered: false)).isolated == nil)
        #expect(rounds.roundEnded(Round(witnessAnswered: false, peerAnswered: true)).isolated == false)
        #expect(!rounds.isolated)
    }
}
