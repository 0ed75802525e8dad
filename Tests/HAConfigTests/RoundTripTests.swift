import HACore
@testable import HAConfig
import Testing

/// `hactl import` prints hactl.conf; reading that text back must give the same model.
@Suite struct RoundTripTests {
    private func roundTrip(_ configuration: Configuration) throws -> (printed: String, reparsed: Configuration) {
        let printed = ConfigurationPrinter.print(configuration)
        do {
            return (printed, try ConfigurationLoader.parse(text: printed, file: "printed.conf", dialect: .hactl))
        } catch {
            Issue.record("printed text does not parse:\n\(error)\n---\n\(printed)")
            throw error
        }
    }

    @Test(arguments: Fixture.accepted)
    func test_importPrintParse_givesTheSameModel(name: String) throws {
        let imported = try ConfigurationLoader.load(files: [Fixture.path(name)], environment: [:])
        let (printed, reparsed) = try roundTrip(imported)
        #expect(reparsed.withoutLocations() == imported.withoutLocations(), "\(printed)")
    }

    @Test(arguments: [
        ["blog-failover.keepalived.conf", "blog-failover.haproxy.cfg"],
        ["ol9-haproxy-ha.keepalived.conf", "ol9-haproxy-ha.haproxy.cfg"],
        ["guide.keepalived.conf", "guide.haproxy.cfg"],
        ["ol7-haproxy-ha-master.keepalived.conf", "ol7-ha.haproxy.cfg"],
    ])
    func test_importedPair_roundTripsAsOneFile(names: [String]) throws {
        let imported = try ConfigurationLoader.load(files: names.map(Fixture.path), environment: [:])
        let (printed, reparsed) = try roundTrip(imported)
        #expect(reparsed.withoutLocations() == imported.withoutLocations(), "\(printed)")
    }

    static let everyKeyword = [
        """
        global
            maxconn 2000
            nbthread 2
            log /dev/log local0 notice
            log 198.18.0.5:514 format rfc5424 local1 info debug
            stats socket /run/hactl.sock mode 660 level operator user haproxy group adm
            stats timeout 30s
            pidfile /run/hactl.pid
            user haproxy
            group haproxy
            chroot /var/lib/haproxy
            daemon
            tune.bufsize 32k
            tune.http.maxhdr 64
            tune.ssl.default-dh-param 2048
            crt-base /etc/ssl/private
            ca-base /etc/ssl/certs
            ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256
            ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256
            ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
            notification_email ops@example.com root
            notification_email_from lb@example.com
            smtp_server 2001:db8::25 2525
            smtp_connect_timeout 10
            router_id lb1
            vrrp_mcast_group4 224.0.0.18
            vrrp_mcast_group6 ff02::12
            vrrp_version 3
            enable_script_security
            script_user keepalived_script nogroup
            vrrp_garp_master_delay 2
            vrrp_garp_master_repeat 3
        """,
        """
        vrrp_track_file maint
            file /run/maint
            weight -50 reverse
        vrrp_script chk
            script "/bin/check --fast"
            interval 500ms
            timeout 2
            fall 3
            rise 2
            weight 10 reverse
            user nobody nogroup
        vrrp_instance A
            state BACKUP
            interface eth1
            virtual_router_id 60
            priority 150
            advert_int 0.25
            version 3
            virtual_ipaddress 198.18.0.60/24 brd 198.18.0.255 dev eth1 scope global label eth1:a
            virtual_ipaddress_excluded 198.18.9.9
            unicast_src_ip 198.18.0.2
            unicast_peer 198.18.0.3
            mcast_src_ip 198.18.0.2
            nopreempt
            preempt_delay 30
            no track_proxy
            track_script chk weight -5
            track_interface eth2 weight 10 reverse
            track_file maint
            notify "/bin/n all"
            notify_master /bin/m root
            notify_backup /bin/b
            notify_fault /bin/f
            notify_stop /bin/s
            garp_master_delay 1
            garp_master_repeat 2
            garp_master_refresh 60
            garp_master_refresh_repeat 3
            garp_lower_prio_delay 2
            garp_lower_prio_repeat 0
            higher_prio_send_advert off
            vrrpv3_checksum_as_v2
            smtp_alert
            dont_track_primary
            vrrp_witness 198.18.0.12 interval 500ms fall 4 rise 2
        vrrp_instance B
            interface eth1
            virtual_router_id 61
            authentication AH secret
            virtual_ipaddress 198.18.0.61
        vrrp_sync_group G
            group A
            notify /bin/g
            notify_master /bin/gm
            smtp_alert
        """,
        """
        defaults
            mode http
            log global
            option httplog
            option dontlognull
            option forwardfor except 127.0.0.0/8 header X-Real-IP if-none
            option http-server-close
            option redispatch
            retries 5
            timeout connect 5s
            timeout client 1m
            timeout server 1m
            timeout http-request 10s
            timeout tunnel 1h
            errorfile 503 /etc/hactl/503.http
            default-server inter 3s fall 4
        frontend web
            bind :80
            bind :443 ssl crt /etc/ssl/site.pem alpn h2,http/1.1 name https
            maxconn 5000
            acl api path_beg -i /api
            acl api hdr_dom(host) api.example.com
            acl bad src 198.18.66.0/24 2001:db8:66::/48
            http-request deny deny_status 429 if bad
            http-request redirect prefix /v2 code 308 if { path_beg /v1 }
            http-request set-header X-Forwarded-Proto https if { ssl_fc }
            http-request del-header Proxy
            use_backend api if api !bad || { hdr(x-api) -m sub v2 } METH_POST
            default_backend app
        backend app
            balance url_param session
            hash-type consistent
            cookie SRV insert indirect nocache httponly secure maxidle 30m maxlife 12h attr SameSite=Strict attr "Max-Age=3600"
            option httpchk GET /health HTTP/1.1
            http-check send hdr Host app.example.com
            http-check expect rstring ^ok
            http-reuse aggressive
            fullconn 1000
            server a 198.18.1.1:8080 weight 20 maxconn 100 check cookie a slowstart 10s observe layer7 port 9090 addr 198.18.2.1
            server b [2001:db8::2]:8080 check backup disabled ssl verify none send-proxy check-ssl
        backend api
            balance hdr(x-user)
            server c 198.18.1.3
        """,
        """
        backend by_uri
            mode http
            balance uri whole len 20 depth 3 path-only
            hash-type consistent djb2 avalanche
            hash-balance-factor 150
            option abortonclose
            option http-pretend-keepalive
            server a 198.18.1.1:80
        backend by_random
            mode http
            balance random(3)
            hash-type map-based crc32
            server a 198.18.1.1:80
        backend by_random_default
            balance random
            server a 198.18.1.1:80
        frontend f
            mode http
            bind :80
            monitor-uri /alive
            capture request header Host len 15
            capture response header Content-Length len 9
            monitor fail if { hdr(x-drain) -m found } || !static
            acl static base_beg -i www.example.com/static
            acl debug url_param(debug) -m found
            acl traced hdr(x-trace) -m found
            http-request deny if debug !traced || { base_reg ^admin\\. }
            use_backend by_uri if static
            default_backend by_random
        """,
    ]

    @Test(arguments: everyKeyword.indices)
    func test_everyKeyword_survivesPrintAndParse(index: Int) throws {
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.parse(text: Self.everyKeyword[index], file: "all.conf")
        } catch {
            Issue.record("\(error)")
            return
        }
        let (printed, reparsed) = try roundTrip(configuration)
        #expect(reparsed.withoutLocations() == configuration.withoutLocations(), "\(printed)")
    }

    @Test func test_printer_writesAVirtualServerAsATCPListen() throws {
        let keepalived = """
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                198.18.0.1/24
            }
        }
        virtual_server 198.18.0.1 443 {
            delay_loop 5
            lb_algo wlc
            real_server 198.18.1.10 8443 {
                weight 2
                TCP_CHECK {
                    connect_timeout 3
                }
            }
        }
        """
        let configuration = try ConfigurationLoader.parse(text: keepalived, file: "keepalived.conf")
        #expect(ConfigurationPrinter.print(configuration) == """
        vrrp_instance VI_1
            interface eth0
            virtual_router_id 51
            advert_int 1
            virtual_ipaddress 198.18.0.1/24

        listen vs_198.18.0.1_443
            mode tcp
            bind 198.18.0.1:443
            timeout connect 5s
            timeout client 15m
            timeout server 15m
            timeout check 3s
            balance leastconn
            server rs_198.18.1.10_8443 198.18.1.10:8443 weight 2 check inter 5s rise 1 fall 1

        """)
    }

    @Test func test_printedText_isStableWhenPrintedTwice() throws {
        let imported = try ConfigurationLoader.load(files: [Fixture.path("guide.haproxy.cfg")], environment: [:])
        let (printed, reparsed) = try roundTrip(imported)
        #expect(ConfigurationPrinter.print(reparsed) == printed)
    }

    @Test func test_awkwardValues_surviveQuoting() throws {
        var configuration = Configuration()
        configuration.frontends = [Frontend(
            name: "f", mode: .http, binds: [Bind(host: "2001:db8::1", port: 443, ssl: true, certificatePath: "/etc/my certs/")],
            acls: [ACL(name: "odd", criterion: .header("x-note"), values: ["a b", "-dash", "quote\"s", "hash#", "dollar${X}", "back\\slash", "'single'"])],
            httpRequestRules: [.setHeader(name: "X-Trace", value: try LogFormat(parsing: "%[src] \"quoted\" 100%%"), condition: Condition(kind: .unless, alternatives: [
                [Condition.Term(negated: true, acl: .named("odd")), Condition.Term(acl: .anonymous(ACL(name: "", criterion: .sslFC)))],
                [Condition.Term(acl: .anonymous(ACL(name: "", criterion: .pathBegins, caseInsensitive: true, values: ["/API"])))],
            ]))]
        )]
        configuration.frontends[0].defaultBackend = "b"
        configuration.backends = [Backend(
            name: "b", mode: .http, balance: .urlParam("user id"),
            servers: [Server(name: "s", host: "2001:db8::2", port: 8080, weight: 0, cookie: "c 1", slowstart: .milliseconds(1500))],
            healthCheck: HTTPCheck(method: "GET", uri: "/health check", version: "HTTP/1.1", headers: [HTTPHeaderField(name: "Host", value: "a b")],
                                   expect: HTTPCheckExpectation(negated: true, match: .stringRegex("^down$")))
        )]
        configuration.vrrpScripts = [VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["/opt/my tools/check", "it's", "a\"b"]), weight: -20)]
        configuration.vrrpInstances = [VRRPInstanceConfig(
            name: "VI", interface: "eth0", virtualRouterID: 9, advertInterval: .milliseconds(250), version: 3,
            virtualIPAddresses: [VirtualIPAddress(address: "2001:db8::10", prefixLength: 64, device: "eth1", label: "eth1:v", scope: "site")],
            trackProxy: false, trackScripts: [TrackReference(name: "chk", weight: 5, reverse: true)],
            notifyMaster: ScriptCommand(argv: ["/bin/notify", "to master"], user: "nobody", group: "nogroup")
        )]
        let (printed, reparsed) = try roundTrip(configuration)
        #expect(reparsed.withoutLocations() == configuration.withoutLocations(), "\(printed)")
    }
}

/// Importing the seeds' keepalived.conf + haproxy.cfg pairs.
@Suite struct ImportTests {
    @Test(arguments: [
        (["blog-failover.keepalived.conf", "blog-failover.haproxy.cfg"], "3 frontends, 3 backends, 6 servers, 1 VRRP instances"),
        (["ol9-haproxy-ha.keepalived.conf", "ol9-haproxy-ha.haproxy.cfg"], "1 frontends, 2 backends, 2 servers, 2 VRRP instances"),
        (["guide.keepalived.conf", "guide.haproxy.cfg"], "2 frontends, 3 backends, 5 servers, 1 VRRP instances"),
        (["ol7-haproxy-ha-backup.keepalived.conf", "ol7-ha.haproxy.cfg"], "1 frontends, 1 backends, 2 servers, 1 VRRP instances"),
        (["ol9-nat-master.keepalived.conf"], "1 frontends, 1 backends, 2 servers, 2 VRRP instances"),
    ])
    func test_importedPair_hasTheRightSummary(names: [String], summary: String) throws {
        let configuration = try ConfigurationLoader.load(files: names.map(Fixture.path), environment: [:])
        #expect(configuration.summary == summary)
    }

    @Test func test_roleNeutral_makesTheMasterAndBackupFilesOneFile() throws {
        let (master, backup) = (Fixture.path("ol7-nat-master.keepalived.conf"), Fixture.path("ol7-nat-backup.keepalived.conf"))
        let neutral = try RoleNeutralImport.load(keepalived: [master, backup], haproxy: nil, environment: [:]).configuration
        #expect(neutral.vrrpInstances.allSatisfy { $0.initialState == nil && $0.priority == nil })
        #expect(neutral.vrrpInstances.map(\.virtualRouterID) == [91, 92])
    }

    @Test func test_dialect_isRecognisedPerFile() throws {
        #expect(ConfigurationLoader.detectDialect(of: try Fixture.text("guide.keepalived.conf")) == .keepalived)
        #expect(ConfigurationLoader.detectDialect(of: try Fixture.text("ol9-nat-master.keepalived.conf")) == .keepalived)
        #expect(ConfigurationLoader.detectDialect(of: try Fixture.text("guide.haproxy.cfg")) == .hactl)
        #expect(ConfigurationLoader.detectDialect(of: try Fixture.text("config-example.hactl.conf")) == .hactl)
    }

    @Test(arguments: Fixture.refused)
    func test_lvsDirectRouting_isRefusedNamingTheLine(name: String) throws {
        do {
            _ = try ConfigurationLoader.load(files: [Fixture.path(name)], environment: [:])
            Issue.record("\(name) should be refused")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.keyword == "lb_kind DR")
            #expect(error.errors.first?.location.line == 32)
            #expect(error.errors.first?.message.hasPrefix("`lb_kind DR` needs the kernel's IPVS direct routing") == true)
        }
    }

    @Test func test_keepalivedInstance_mapsEveryKeyword() throws {
        let configuration = try ConfigurationLoader.load(files: [Fixture.path("guide.keepalived.conf")], environment: [:])
        let instance = try #require(configuration.vrrpInstance(named: "R1"))
        #expect(instance.initialState == .master)
        #expect(instance.interface == "eth0")
        #expect(instance.virtualRouterID == 50)
        #expect(instance.priority == 100)
        #expect(instance.advertInterval == .seconds(1))
        #expect(instance.authentication == .pass("passwd"))
        #expect(instance.virtualIPAddresses.map(\.address) == ["10.230.137.100"])
        #expect(instance.virtualIPAddresses.map(\.prefixLength) == [32])
        #expect(instance.trackScripts.map(\.name) == ["chk_haproxy"])
        #expect(instance.noPreempt)
        #expect(instance.preemptDelay == .seconds(2))
        #expect(instance.trackProxy)
        let script = try #require(configuration.vrrpScript(named: "chk_haproxy"))
        #expect(script.command.argv == ["killall", "-0", "haproxy"])
        #expect(script.interval == .seconds(2) && script.weight == -2 && script.fall == 3 && script.rise == 1)
        #expect(configuration.global.notificationEmail == ["admin@example.com"])
        #expect(configuration.global.smtpConnectTimeout == .seconds(60))
        #expect(configuration.global.vrrpMcastGroup4 == "224.0.0.18")
    }

    @Test func test_keepalivedNotifyAndTrackInterface_keepArgumentsAndWeights() throws {
        let configuration = try ConfigurationLoader.load(files: [Fixture.path("ol7-tracking.keepalived.conf")], environment: [:])
        let instance = try #require(configuration.vrrpInstance(named: "VI_21"))
        #expect(instance.notifyMaster == ScriptCommand(argv: ["/usr/local/bin/notify.sh", "master"]))
        #expect(instance.notifyFault == ScriptCommand(argv: ["/usr/local/bin/notify.sh", "fault"], user: "root"))
        #expect(instance.trackInterfaces == [TrackReference(name: "enp0s8", location: instance.trackInterfaces[0].location),
                                             TrackReference(name: "enp0s9", weight: -10, location: instance.trackInterfaces[1].location)])
        #expect(configuration.vrrpScript(named: "chk_proxy")?.timeout == .seconds(1))
    }

    @Test func test_syncGroup_listsItsMembers() throws {
        let configuration = try ConfigurationLoader.load(files: [Fixture.path("ol9-haproxy-ha.keepalived.conf")], environment: [:])
        #expect(configuration.vrrpSyncGroups.map(\.members) == [["external", "internal"]])
    }

    @Test func test_virtualServer_becomesATCPListenWithTheSameSchedulerWeightsAndChecks() throws {
        let configuration = try ConfigurationLoader.load(files: [Fixture.path("ol9-nat-master.keepalived.conf")], environment: [:])
        let frontend = try #require(configuration.frontends.first)
        let backend = try #require(configuration.backend(named: frontend.name))
        #expect(frontend.isListen && backend.isListen)
        #expect(frontend.mode == .tcp && backend.mode == .tcp)
        #expect(frontend.binds.map { "\($0.host ?? "*"):\($0.port)" } == ["192.168.1.1:80"])
        #expect(frontend.defaultBackend == frontend.name)
        #expect(backend.balance == .source, "persistence_timeout keeps a client on one server")
        #expect(backend.servers.map(\.host) == ["10.0.0.71", "10.0.0.72"])
        #expect(backend.servers.allSatisfy { $0.port == 80 && $0.weight == 1 && $0.check && $0.inter == .seconds(10) && $0.checkPort == nil })
        #expect(backend.timeouts.check == .seconds(5))
    }

    @Test func test_virtualServerSchedulers_mapToBalanceAlgorithms() throws {
        for (algo, balance) in [("rr", BalanceAlgorithm.roundRobin), ("wrr", .roundRobin), ("lc", .leastConn), ("wlc", .leastConn), ("sh", .source)] {
            let text = """
            virtual_server 198.18.0.1 8080 {
                lb_algo \(algo)
                real_server 198.18.0.2 8080 {
                    weight 3
                    HTTP_GET {
                        url {
                            path /health
                            status_code 200
                        }
                        connect_timeout 3
                        connect_port 8081
                    }
                }
            }
            """
            let configuration = try ConfigurationLoader.parse(text: text, file: "k.conf")
            let backend = try #require(configuration.backends.first)
            #expect(backend.balance == balance)
            #expect(backend.servers.first?.weight == 3)
            #expect(backend.servers.first?.checkPort == 8081)
            #expect(backend.healthCheck == HTTPCheck(method: "GET", uri: "/health", version: "HTTP/1.0",
                                                     expect: HTTPCheckExpectation(match: .status("200")), location: backend.healthCheck!.location))
        }
    }
}
