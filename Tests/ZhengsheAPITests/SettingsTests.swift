import Hummingbird
import Logging
import Testing
import ZhengsheServer

/// Flags, then the environment, then defaults, through swift-configuration. (A flag the reader
/// could not read once silently left `serve` on port 8080: ServeProcessTests found it.)
@Suite struct SettingsTests {
    func settings(_ flags: [String: String?] = [:], _ environment: [String: String] = [:]) throws -> ServiceSettings {
        try ServiceSettings(reader: ServiceSettings.reader(flags: flags, environment: environment))
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverDefaults() throws {
        let defaults = try settings()
        #expect(defaults.http.address == .hostname("127.0.0.1", port: 8080))
        #expect(defaults.databaseURL == nil)
        #expect(defaults.logLevel == .info)

        let environment = ["HTTP_HOST": "0.0.0.0", "HTTP_PORT": "9000", "DATABASE_URL": "postgresql://a@b/c", "ZHENGSHE_DATA_DIR": "/srv/zs", "LOG_LEVEL": "debug"]
        let fromEnvironment = try settings([:], environment)
        #expect(fromEnvironment.http.address == .hostname("0.0.0.0", port: 9000))
        #expect(fromEnvironment.databaseURL == "postgresql://a@b/c")
        #expect(fromEnvironment.dataDirectory == "/srv/zs")
        #expect(fromEnvironment.logLevel == .debug)

        let fromFlags = try settings(["HTTP_PORT": "9100", "DATABASE_URL": "postgresql://x@y/z", "ZHENGSHE_DATA_DIR": nil], environment)
        #expect(fromFlags.http.address == .hostname("0.0.0.0", port: 9100))
        #expect(fromFlags.databaseURL == "postgresql://x@y/z")
        #expect(fromFlags.dataDirectory == "/srv/zs", "an absent flag leaves the environment's value")
    }

    @Test func unusableValuesAreRefusedNotIgnored() {
        #expect(throws: SettingsError.self) { try settings([:], ["HTTP_PORT": "eighty"]) }
        #expect(throws: SettingsError.self) { try settings(["HTTP_PORT": "70000"]) }
        #expect(throws: SettingsError.self) { try settings([:], ["LOG_LEVEL": "loud"]) }
        #expect(throws: SettingsError.self) { try settings([:], ["HTTP_IDLE_TIMEOUT": "0"]) }
        #expect(throws: SettingsError.self) { try settings([:], ["HTTP_MAX_CONNECTIONS": "many"]) }
    }

    /// Idle connections are closed after a minute unless told otherwise; no more connections are
    /// held than the file limit leaves room for.
    @Test func connectionsFitTheFileLimit() throws {
        let defaults = try settings([:])
        #expect(defaults.connections.idleTimeout == .seconds(60))
        #expect(defaults.connections.maximum == Connections.fitting(fileLimit: Connections.raiseFileLimit()))
        #expect(Connections.fitting(fileLimit: 1024) == 768 && Connections.fitting(fileLimit: 100) == 16)
        let set = try settings([:], ["HTTP_IDLE_TIMEOUT": "5", "HTTP_MAX_CONNECTIONS": "300"])
        #expect(set.connections == Connections(idleTimeout: .seconds(5), maximum: 300))
        #expect(set.connections.maximum == 300 && !set.connections.requestedMaximumLowered)
        // A cap above what the file limit leaves room for is lowered to it, and says so.
        let fitting = Connections.fitting(fileLimit: Connections.raiseFileLimit())
        let tooMany = try settings([:], ["HTTP_MAX_CONNECTIONS": "\(fitting + 1000)"])
        #expect(tooMany.connections.maximum == fitting && tooMany.connections.requestedMaximumLowered)
    }
}
