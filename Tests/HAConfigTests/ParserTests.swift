import HACore
@testable import HAConfig
import Testing

/// hactl.conf / haproxy.cfg semantics: HAProxy's keyword meanings and defaults.
@Suite struct ParserTests {
    private func parse(_ text: String, environment: [String: String] = [:]) throws -> Configuration {
        do {
            return try ConfigurationLoader.parse(text: text, file: "t.conf", environment: environment)
        } catch {
            Issue.record("\(error)")
            throw error
        }
    }

    @Test func test_proxy_inheritsTheLastDefaultsAboveIt() throws {
        let configuration = try parse("""
        defaults
            mode http
            timeout connect 5s
        backend a
            server s 198.18.0.1:80
        defaults
            mode tcp
            retries 5
        backend b
            server s 198.18.0.1:80
        """)
        let a = try #require(configuration.backend(named: "a"))
        let b = try #require(configuration.backend(named: "b"))
        #expect(a.mode == .http && a.timeouts.connect == .seconds(5) && a.retries == 3)
        #expect(b.mode == .tcp && b.timeouts.connect == nil && b.retries == 5)
    }

    @Test func test_namedDefaults_areChosenWithFrom() throws {
        let configuration = try parse("""
        defaults web
            mode http
            balance leastconn
        defaults other
            mode tcp
        backend a from web
            server s 198.18.0.1:80
        backend b
            server s 198.18.0.1:80
        """)
        #expect(configuration.backend(named: "a")?.mode == .http)
        #expect(configuration.backend(named: "a")?.balance == .leastConn)
        #expect(configuration.backend(named: "b")?.mode == .tcp)
    }

    @Test func test_sectionSettings_overrideDefaults() throws {
        let configuration = try parse("""
        defaults
            option httpclose
            option forwardfor
        backend a
            option http-keep-alive
            no option forwardfor
            server s 198.18.0.1:80
        """)
        let a = try #require(configuration.backend(named: "a"))
        #expect(a.connectionMode == .keepAlive)
        #expect(a.forwardFor == nil)
    }

    @Test func test_listen_yieldsAFrontendAndABackendOfTheSameName() throws {
        let configuration = try parse("""
        listen app
            mode http
            bind :8080
            acl api path_beg /api
            http-request deny if api
            server s 198.18.0.1:80 check
        """)
        let frontend = try #require(configuration.frontend(named: "app"))
        let backend = try #require(configuration.backend(named: "app"))
        #expect(frontend.isListen && backend.isListen)
        #expect(frontend.defaultBackend == "app")
        #expect(frontend.acls.map(\.name) == ["api"] && backend.acls.isEmpty)
        #expect(frontend.httpRequestRules.count == 1 && backend.httpRequestRules.isEmpty)
        #expect(backend.servers.map(\.name) == ["s"])
    }

    @Test func test_listenWithAnAddress_bindsIt() throws {
        let configuration = try parse("listen old 198.18.0.1:80\n    server s 198.18.0.2:80")
        #expect(configuration.frontend(named: "old")?.binds.map { "\($0.host ?? "*"):\($0.port)" } == ["198.18.0.1:80"])
    }

    @Test func test_bind_readsListsRangesIPv6AndTLS() throws {
        let configuration = try parse("""
        global
            crt-base /etc/hactl/certs
        frontend f
            bind 198.18.0.1:80,198.18.0.2:80
            bind [2001:db8::1]:8000-8002
            bind *:443 ssl crt site.pem alpn h2,http/1.1
            default_backend b
        backend b
        """)
        let binds = try #require(configuration.frontend(named: "f")).binds
        #expect(binds.map { "\($0.host ?? "*") \($0.port)" } == ["198.18.0.1 80", "198.18.0.2 80", "2001:db8::1 8000", "2001:db8::1 8001", "2001:db8::1 8002", "* 443"])
        #expect(binds.last?.ssl == true)
        #expect(binds.last?.certificatePath == "/etc/hactl/certs/site.pem")
        #expect(binds.last?.alpn == ["h2", "http/1.1"])
    }

    @Test func test_server_readsEveryOptionAndDefaultServer() throws {
        let configuration = try parse("""
        backend b
            default-server inter 3s fall 5
            server a 198.18.0.1:80 weight 10 maxconn 100 check fastinter 500ms downinter 10s rise 4 backup cookie A slowstart 30s observe layer7 port 8080 addr 198.18.0.9
            server c [2001:db8::5]:443 ssl verify none send-proxy check-ssl disabled
            server d web.example.com
        """)
        let servers = try #require(configuration.backend(named: "b")).servers
        let a = servers[0]
        #expect(a.host == "198.18.0.1" && a.port == 80 && a.weight == 10 && a.maxconn == 100 && a.check)
        #expect(a.inter == .seconds(3) && a.fall == 5, "from default-server")
        #expect(a.fastinter == .milliseconds(500) && a.downinter == .seconds(10) && a.rise == 4 && a.backup)
        #expect(a.cookie == "A" && a.slowstart == .seconds(30) && a.observeLayer7 && a.checkPort == 8080 && a.checkAddress == "198.18.0.9")
        let c = servers[1]
        #expect(c.host == "2001:db8::5" && c.port == 443 && c.ssl && c.verify == "none" && c.sendProxy && c.checkSSL && c.disabled)
        #expect(servers[2].host == "web.example.com" && servers[2].port == nil)
    }

    @Test func test_httpchk_readsTheOldHeaderTrickAndHTTPCheckLines() throws {
        let configuration = try parse(#"""
        backend a
            option httpchk HEAD / HTTP/1.1\r\nHost:\ www
        backend b
            option httpchk /health
            http-check send meth GET ver HTTP/1.1 hdr Host example.com
            http-check expect ! rstatus ^5
        """#)
        let a = try #require(configuration.backend(named: "a")?.healthCheck)
        #expect(a.method == "HEAD" && a.uri == "/" && a.version == "HTTP/1.1")
        #expect(a.headers == [HTTPHeaderField(name: "Host", value: "www")])
        let b = try #require(configuration.backend(named: "b")?.healthCheck)
        #expect(b.method == "GET" && b.uri == "/health" && b.version == "HTTP/1.1")
        #expect(b.headers == [HTTPHeaderField(name: "Host", value: "example.com")])
        #expect(b.expect == HTTPCheckExpectation(negated: true, match: .statusRegex("^5")))
    }

    @Test func test_cookie_readsEveryFlag() throws {
        let configuration = try parse("""
        backend b
            mode http
            cookie SRV insert indirect nocache postonly preserve httponly secure domain .a.example domain .b.example maxidle 30m maxlife 2h
        """)
        let cookie = try #require(configuration.backend(named: "b")?.cookie)
        #expect(cookie.name == "SRV" && cookie.mode == .insert)
        #expect(cookie.indirect && cookie.nocache && cookie.postonly && cookie.preserve && cookie.httponly && cookie.secure)
        #expect(cookie.domains == [".a.example", ".b.example"])
        #expect(cookie.maxidle == .seconds(1800) && cookie.maxlife == .seconds(7200))
    }

    @Test func test_cookieWithoutMode_isPassive() throws {
        let configuration = try parse("backend b\n    mode http\n    cookie JSESSIONID")
        #expect(configuration.backend(named: "b")?.cookie?.mode == .passive)
    }

    @Test func test_conditions_readOrAndNegationAndAnonymousACLs() throws {
        let configuration = try parse("""
        frontend f
            mode http
            bind :80
            acl api path_beg /api
            acl admin src 198.18.0.0/15
            use_backend b if api !admin || { hdr(host) -i -m beg api. } METH_POST
            default_backend b
        backend b
            mode http
        """)
        let rule = try #require(configuration.frontend(named: "f")?.useBackends.first)
        let condition = try #require(rule.condition)
        #expect(condition.kind == .if)
        #expect(condition.alternatives.count == 2)
        #expect(condition.alternatives[0].map(\.negated) == [false, true])
        #expect(condition.alternatives[0].map(\.acl) == [.named("api"), .named("admin")])
        guard case .anonymous(let host) = condition.alternatives[1][0].acl else {
            Issue.record("expected an anonymous ACL")
            return
        }
        #expect(host.criterion == .headerBegins("host") && host.caseInsensitive && host.values == ["api."])
        guard case .anonymous(let post) = condition.alternatives[1][1].acl else {
            Issue.record("METH_POST should resolve to HAProxy's predefined ACL")
            return
        }
        #expect(post.criterion == .method && post.values == ["POST"])
    }

    @Test func test_httpRequestRules_keepTheirOrderAndDefaults() throws {
        let configuration = try parse("""
        frontend f
            mode http
            bind :80
            http-request redirect scheme https code 301 unless { ssl_fc }
            http-request deny deny_status 429 if { src 198.18.0.66 }
            http-request set-header X-Forwarded-Proto https
            http-request add-header X-Via hactl
            http-request del-header X-Secret
            redirect location /moved
            default_backend b
        backend b
            mode http
        """)
        let actions = try #require(configuration.frontend(named: "f")).httpRequestRules.map(\.action)
        #expect(actions == [
            .redirect(kind: .scheme, value: LogFormat(literal: "https"), code: 301), .deny(status: 429),
            .setHeader(name: "X-Forwarded-Proto", value: LogFormat(literal: "https")), .addHeader(name: "X-Via", value: LogFormat(literal: "hactl")),
            .delHeader(name: "X-Secret"), .redirect(kind: .location, value: LogFormat(literal: "/moved"), code: 302),
        ])
        #expect(configuration.warnings.isEmpty)
    }

    /// HAProxy runs every `http-request` rule before any `redirect` rule and warns when the file
    /// reads otherwise: `redirect ... if { path /ord }` above `http-request deny if { path /ord }`
    /// answers 403, not 302.
    @Test func test_httpRequestRuleAfterRedirect_isEvaluatedFirstAndWarned() throws {
        let configuration = try parse("""
        frontend f
            mode http
            bind :80
            redirect location /elsewhere if { path /ord }
            http-request deny if { path /ord }
            redirect prefix /p
            http-request set-header X-A 1
            default_backend b
        backend b
            mode http
        """)
        let actions = try #require(configuration.frontend(named: "f")).httpRequestRules.map(\.action)
        #expect(actions == [
            .deny(status: 403), .setHeader(name: "X-A", value: LogFormat(literal: "1")),
            .redirect(kind: .location, value: LogFormat(literal: "/elsewhere"), code: 302), .redirect(kind: .prefix, value: LogFormat(literal: "/p"), code: 302),
        ])
        #expect(configuration.warnings.map(\.location.line) == [5, 7])
        #expect(configuration.warnings.first?.description.hasPrefix("t.conf:5:5: warning: 'http-request': this rule is evaluated before the 'redirect' at line 4") == true)
    }

    @Test func test_global_readsHAProxyAndKeepalivedKeys() throws {
        let configuration = try parse("""
        global
            maxconn 2000
            nbthread 2
            log /dev/log local0 notice
            log 198.18.0.5:514 format rfc5424 local1 info debug
            stats socket /run/hactl.sock mode 660 level operator user haproxy group adm
            stats timeout 30s
            user haproxy
            group haproxy
            chroot /var/lib/haproxy
            daemon
            tune.bufsize 32k
            tune.http.maxhdr 64
            ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
            notification_email ops@example.com oncall@example.com
            notification_email_from lb@example.com
            smtp_server 198.18.0.25 2525
            smtp_connect_timeout 10
            router_id lb1
            vrrp_version 3
            enable_script_security
            script_user keepalived_script
        """)
        let global = configuration.global
        #expect(global.maxconn == 2000 && global.nbthread == 2)
        #expect(global.logTargets.map(\.address) == ["/dev/log", "198.18.0.5:514"])
        #expect(global.logTargets[1].format == "rfc5424" && global.logTargets[1].level == "info" && global.logTargets[1].minimumLevel == "debug")
        #expect(global.statsSocket == StatsSocket(path: "/run/hactl.sock", mode: 0o660, level: "operator", user: "haproxy", group: "adm", location: global.statsSocket!.location))
        #expect(global.statsTimeout == .seconds(30))
        #expect(global.user == "haproxy" && global.group == "haproxy" && global.chroot == "/var/lib/haproxy" && global.daemon)
        #expect(global.tuneBufsize == 32768)
        #expect(global.tuneHTTPMaxhdr == 64)
        #expect(global.sslDefaultBindOptions == ["ssl-min-ver", "TLSv1.2", "no-tls-tickets"])
        #expect(global.notificationEmail == ["ops@example.com", "oncall@example.com"])
        #expect(global.smtpServer == "198.18.0.25:2525" && global.smtpConnectTimeout == .seconds(10))
        #expect(global.routerID == "lb1" && global.vrrpVersion == 3 && global.enableScriptSecurity && global.scriptUser == "keepalived_script")
    }

    @Test func test_globalSmtpAlert_isReadAsKeepalivedsGlobalDefsSwitch() throws {
        #expect(try parse("global\n    smtp_alert\n").global.smtpAlert == true)
        #expect(try parse("global\n    smtp_alert off\n").global.smtpAlert == false)
        #expect(try parse("global\n    maxconn 10\n").global.smtpAlert == nil)
    }

    @Test func test_globalSmtpAlert_survivesPrintingAndReparsing() throws {
        for value in [true, false] {
            let configuration = try parse("global\n    smtp_alert \(value ? "on" : "off")\n")
            let reparsed = try ConfigurationLoader.parse(text: ConfigurationPrinter.print(configuration), file: "printed.conf")
            #expect(reparsed.global.smtpAlert == value)
        }
    }

    @Test func test_vrrpInstance_readsHactlOneItemPerLineForm() throws {
        let configuration = try parse("""
        global
            vrrp_garp_master_delay 2
        vrrp_track_file maintenance
            file /run/hactl/maintenance
            weight -50
        vrrp_instance VI_6
            state BACKUP
            interface eth1
            virtual_router_id 60
            priority 150
            advert_int 0.25
            version 3
            virtual_ipaddress 2001:db8::60/64 dev eth1
            virtual_ipaddress 2001:db8::61 scope link label eth1:v6
            unicast_src_ip 2001:db8::2
            unicast_peer 2001:db8::3
            unicast_peer 2001:db8::4
            no track_proxy
            track_file maintenance weight 1
            preempt_delay 30
            garp_master_refresh 60
            notify "/usr/local/bin/notify.sh --verbose"
        """)
        let instance = try #require(configuration.vrrpInstance(named: "VI_6"))
        #expect(instance.initialState == .backup && instance.priority == 150 && instance.version == 3)
        #expect(instance.advertInterval == .milliseconds(250))
        #expect(instance.virtualIPAddresses.map { "\($0.address)/\($0.prefixLength)" } == ["2001:db8::60/64", "2001:db8::61/128"])
        #expect(instance.virtualIPAddresses[0].device == "eth1")
        #expect(instance.virtualIPAddresses[1].scope == "link" && instance.virtualIPAddresses[1].label == "eth1:v6")
        #expect(instance.unicastSourceIP == "2001:db8::2" && instance.unicastPeers == ["2001:db8::3", "2001:db8::4"])
        #expect(!instance.trackProxy)
        #expect(instance.trackFiles.map(\.name) == ["maintenance"] && instance.trackFiles[0].weight == 1)
        #expect(instance.preemptDelay == .seconds(30) && instance.garpMasterRefresh == .seconds(60))
        #expect(instance.garpMasterDelay == .seconds(2), "global vrrp_garp_master_delay is the instance default")
        #expect(instance.notify?.argv == ["/usr/local/bin/notify.sh", "--verbose"])
        #expect(configuration.vrrpTrackFile(named: "maintenance")?.weight == -50)
    }

    @Test func test_ipv6Instance_speaksVersion3LikeKeepalived() throws {
        let configuration = try parse("vrrp_instance V6\n    interface eth0\n    virtual_router_id 6\n    virtual_ipaddress 2001:db8::6/64")
        #expect(configuration.global.vrrpVersion == 2)
        #expect(configuration.vrrpInstance(named: "V6")?.version == 3)
    }

    @Test func test_environmentVariables_expandThroughTheLoader() throws {
        let configuration = try parse("""
        frontend f
            bind "${VIP}:${PORT-80}"
            default_backend b
        backend b
            server s "${BACKEND}:8080"
        """, environment: ["VIP": "198.18.0.1", "BACKEND": "198.18.0.2"])
        #expect(configuration.frontend(named: "f")?.binds.first?.host == "198.18.0.1")
        #expect(configuration.frontend(named: "f")?.binds.first?.port == 80)
        #expect(configuration.backend(named: "b")?.servers.first?.host == "198.18.0.2")
    }

    @Test func test_severalFiles_mergeIntoOneConfigurationAndCrossReference() throws {
        let configuration = try ConfigurationLoader.load(sources: [
            (file: "a.conf", text: "global\n    maxconn 100\nfrontend f\n    bind :80\n    default_backend b"),
            (file: "b.conf", text: "global\n    nbthread 2\nbackend b\n    server s 198.18.0.1:80"),
        ])
        #expect(configuration.global.maxconn == 100 && configuration.global.nbthread == 2)
        #expect(configuration.summary == "1 frontends, 1 backends, 1 servers, 0 VRRP instances")
    }

    @Test func test_errorsOfSeveralFiles_comeInFileOrder() {
        do {
            _ = try ConfigurationLoader.load(sources: [
                (file: "a.conf", text: "backend x\n    balanse rr"),
                (file: "b.conf", text: "backend y\n    mode foo"),
            ])
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.location.file) == ["a.conf", "b.conf"])
        }
    }

    @Test func test_unreadableFile_isAnErrorNamingIt() {
        do {
            _ = try ConfigurationLoader.load(files: ["/nonexistent/hactl.conf"], environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.location.file == "/nonexistent/hactl.conf")
            #expect(error.errors.first?.message.hasPrefix("cannot read the file") == true)
        }
    }

    @Test func test_notificationEmail_acceptsLocalMailboxesLikeKeepalived() throws {
        let configuration = try ConfigurationLoader.parse(text: "global_defs {\n    notification_email {\n        root\n        ops@example.com\n    }\n    notification_email_from keepalived\n}", file: "k.conf")
        #expect(configuration.global.notificationEmail == ["root", "ops@example.com"])
        #expect(configuration.global.notificationEmailFrom == "keepalived")
    }

    @Test func test_byteOrderMark_isIgnored() throws {
        let configuration = try parse("\u{FEFF}global\n    maxconn 7")
        #expect(configuration.global.maxconn == 7)
    }

    @Test func test_nbprocOne_isAcceptedAsWhatHactlIs() throws {
        _ = try parse("global\n    nbproc 1")
    }
}

/// HAProxy's `peers` section, read as the description of the hactl pair.
@Suite struct PeersSectionTests {
    @Test func test_peersSection_parsesPeersKeyAndLocalpeer_andPrintsBack() throws {
        let text = """
            global
                localpeer n2
            peers pair
                peer n1 198.18.0.10:7100
                peer n2 [2001:db8::2]:7100
                peer-key /etc/hactl/peer.key
            """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let peers = try #require(configuration.peers)
        #expect(peers.name == "pair" && peers.keyFile == "/etc/hactl/peer.key")
        #expect(peers.peers.map(\.name) == ["n1", "n2"])
        #expect(peers.peers[1].address == "2001:db8::2" && peers.peers[1].port == 7100)
        #expect(configuration.global.localPeer == "n2")
        let printed = ConfigurationPrinter.print(configuration)
        #expect(try ConfigurationLoader.parse(text: printed, file: "p.conf").withoutLocations() == configuration.withoutLocations())
    }
}
