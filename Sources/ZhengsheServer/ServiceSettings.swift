public import Configuration
public import Foundation
public import Hummingbird
public import Logging

/// The service's settings, read through swift-configuration: the command line's flags first (the
/// executable puts them in an in-memory provider), then the environment, then the defaults.
///
/// | key | environment | default |
/// |---|---|---|
/// | `http.host`, `http.port` | `HTTP_HOST`, `HTTP_PORT` | `127.0.0.1`, `8080` (Hummingbird's own reader) |
/// | `database.url` | `DATABASE_URL` | none: the embedded cluster |
/// | `zhengshe.data.dir` | `ZHENGSHE_DATA_DIR` | `/var/lib/zhengshe` as root, else `$XDG_DATA_HOME/zhengshe` or `~/.local/share/zhengshe` |
/// | `log.level` | `LOG_LEVEL` | `info` |
/// | `http.idle.timeout` | `HTTP_IDLE_TIMEOUT` | `60` (seconds) |
/// | `http.max.connections` | `HTTP_MAX_CONNECTIONS` | the file limit less 256 |
public struct ServiceSettings: Sendable {
    /// Where the HTTP server listens.
    public var http: ApplicationConfiguration
    /// How many connections it holds at once, and for how long an idle one.
    public var connections: Connections
    /// An existing PostgreSQL; nil starts the embedded cluster.
    public var databaseURL: String?
    /// The folder holding the embedded cluster (in `postgres/` below it).
    public var dataDirectory: String
    public var logLevel: Logger.Level

    /// A reader over `flags`, then the process's environment. Flags are named like the environment
    /// variables they stand for (`HTTP_PORT`), so both are read alike: text, converted on reading.
    public static func reader(flags: [String: String?] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigReader {
        ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: flags.compactMapValues { $0 }, secretsSpecifier: .specific(["DATABASE_URL"])),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(["DATABASE_URL"])),
        ])
    }

    /// - Throws: ``SettingsError`` for a value that is there but unusable.
    public init(reader: ConfigReader, defaultLogLevel: Logger.Level = .info) throws {
        // swift-configuration falls back to the default for a value it cannot convert: say so instead.
        if let port = reader.string(forKey: "http.port"), Int(port) == nil || !(0...65_535).contains(Int(port) ?? -1) {
            throw SettingsError("the HTTP port (--port, HTTP_PORT) must be a number from 0 (any free port) to 65535, not '\(port)'")
        }
        var http = ApplicationConfiguration(reader: reader.scoped(to: "http"))
        http.serverName = "zhengshe"
        self.http = http
        let idle = reader.string(forKey: "http.idle.timeout")
        guard let idleSeconds = idle.map(Int.init) ?? 60, (1...86_400).contains(idleSeconds) else {
            throw SettingsError("HTTP_IDLE_TIMEOUT must be a number of seconds from 1 to 86400, not '\(idle ?? "")'")
        }
        var maximumConnections: Int?
        if let maximum = reader.string(forKey: "http.max.connections") {
            guard let count = Int(maximum), count >= 1 else {
                throw SettingsError("HTTP_MAX_CONNECTIONS must be a whole number of connections, at least 1, not '\(maximum)'")
            }
            maximumConnections = count
        }
        connections = Connections(idleTimeout: .seconds(idleSeconds), maximum: maximumConnections)
        databaseURL = reader.string(forKey: "database.url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        let base =
            reader.string(forKey: "zhengshe.data.dir")
            ?? (geteuid() == 0
                ? "/var/lib/zhengshe"
                : (reader.string(forKey: "xdg.data.home") ?? (NSHomeDirectory() + "/.local/share")) + "/zhengshe")
        dataDirectory = URL(fileURLWithPath: base).standardizedFileURL.path
        let level = reader.string(forKey: "log.level")
        guard let logLevel = level.map(Logger.Level.init(rawValue:)) ?? defaultLogLevel else {
            throw SettingsError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, not '\(level ?? "")'")
        }
        self.logLevel = logLevel
    }

    /// A logger at the configured level.
    public func logger(label: String = "zhengshe") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}

/// A setting that is there but cannot be used.
public struct SettingsError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
