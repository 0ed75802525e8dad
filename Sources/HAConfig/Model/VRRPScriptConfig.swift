public import HACore

/// keepalived `vrrp_script NAME`: a command run every `interval` whose exit status adjusts the
/// priority of the instances that track it (`weight`) or puts them in FAULT (`weight 0`).
public struct VRRPScriptConfig: Sendable, Equatable, Hashable {
    public var name: String
    /// `script "COMMAND ARGS"`.
    public var command: ScriptCommand
    /// `interval` (default 1 s).
    public var interval: Duration
    /// `timeout`: a run longer than this counts as a failure.
    public var timeout: Duration?
    /// `fall` (default 1).
    public var fall: Int
    /// `rise` (default 1).
    public var rise: Int
    /// `weight` -253…253 (default 0: failure means FAULT).
    public var weight: Int
    /// `weight N reverse`: apply the weight in the opposite direction.
    public var weightReverse: Bool
    /// `user USER [GROUP]`.
    public var user: String?
    public var group: String?
    public var location: SourceLocation

    public init(
        name: String,
        command: ScriptCommand,
        interval: Duration = .seconds(1),
        timeout: Duration? = nil,
        fall: Int = 1,
        rise: Int = 1,
        weight: Int = 0,
        weightReverse: Bool = false,
        user: String? = nil,
        group: String? = nil,
        location: SourceLocation = .builtIn
    ) {
        self.name = name
        self.command = command
        self.interval = interval
        self.timeout = timeout
        self.fall = fall
        self.rise = rise
        self.weight = weight
        self.weightReverse = weightReverse
        self.user = user
        self.group = group
        self.location = location
    }
}

/// A command line as keepalived takes it (`script`, `notify_master`): one string split into
/// words on blanks, with single or double quotes grouping words. No shell is involved.
public struct ScriptCommand: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var argv: [String]
    /// keepalived `notify_* CMD [USER [GROUP]]`: run as this user instead of `script_user`.
    public var user: String?
    public var group: String?

    public init(argv: [String], user: String? = nil, group: String? = nil) {
        self.argv = argv
        self.user = user
        self.group = group
    }

    /// Splits `text` into words: blanks separate, `'...'` and `"..."` group, `\` escapes the next character.
    public init(parsing text: String) {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                inWord = true
                continue
            }
            if character == "\\" && quote != "'" {
                escaped = true
                continue
            }
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        self.argv = words
        self.user = nil
        self.group = nil
    }

    /// The command as one line, words quoted where needed.
    public var description: String {
        argv.map { word in
            if word.isEmpty { return "''" }
            if word.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" || $0 == "\\" }) {
                return "'" + word.replacing("'", with: "'\\''") + "'"
            }
            return word
        }.joined(separator: " ")
    }
}

/// keepalived `vrrp_sync_group NAME`: instances that change state together.
public struct VRRPSyncGroupConfig: Sendable, Equatable, Hashable {
    public var name: String
    /// `group` members (instance names).
    public var members: [String]
    public var notify: ScriptCommand?
    public var notifyMaster: ScriptCommand?
    public var notifyBackup: ScriptCommand?
    public var notifyFault: ScriptCommand?
    public var notifyStop: ScriptCommand?
    /// `smtp_alert`.
    public var smtpAlert: Bool
    public var location: SourceLocation

    public init(
        name: String,
        members: [String] = [],
        notify: ScriptCommand? = nil,
        notifyMaster: ScriptCommand? = nil,
        notifyBackup: ScriptCommand? = nil,
        notifyFault: ScriptCommand? = nil,
        notifyStop: ScriptCommand? = nil,
        smtpAlert: Bool = false,
        location: SourceLocation = .builtIn
    ) {
        self.name = name
        self.members = members
        self.notify = notify
        self.notifyMaster = notifyMaster
        self.notifyBackup = notifyBackup
        self.notifyFault = notifyFault
        self.notifyStop = notifyStop
        self.smtpAlert = smtpAlert
        self.location = location
    }
}

/// keepalived `vrrp_track_file NAME`: a file holding an integer; its value times `weight`
/// adjusts the priority of tracking instances (a non-zero value with `weight 0` means FAULT).
public struct VRRPTrackFileConfig: Sendable, Equatable, Hashable {
    public var name: String
    /// `file PATH`.
    public var path: String
    /// `weight` (default 1).
    public var weight: Int
    /// `weight N reverse`.
    public var weightReverse: Bool
    public var location: SourceLocation

    public init(name: String, path: String, weight: Int = 1, weightReverse: Bool = false, location: SourceLocation = .builtIn) {
        self.name = name
        self.path = path
        self.weight = weight
        self.weightReverse = weightReverse
        self.location = location
    }
}
