public import PostgresNIO
import Foundation
import NIOSSL

/// Reads a libpq-style connection URL into a PostgresNIO configuration:
/// `postgresql://user:password@host:port/database?sslmode=require`, or a Unix socket with
/// `postgresql://user@/database?host=/var/run/postgresql` (or a percent-encoded socket folder as host).
public enum DatabaseURL {
    public enum Error: Swift.Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let reason): "DATABASE_URL is not usable: \(reason)"
            }
        }
    }

    public static func configuration(from string: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: string), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql"
        else { throw Error.invalid("expected postgresql://user@host:port/database") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { _, last in last }
        let user = components.percentEncodedUser?.removingPercentEncoding ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.percentEncodedPassword?.removingPercentEncoding ?? query["password"]
        var database = String(components.percentEncodedPath.drop { $0 == "/" }).removingPercentEncoding ?? ""
        if database.isEmpty { database = query["dbname"] ?? user }
        let host = (components.percentEncodedHost?.removingPercentEncoding).flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? ""
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432

        if host.isEmpty || host.hasPrefix("/") {
            let directory = host.isEmpty ? "/var/run/postgresql" : host
            return .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw Error.invalid("sslmode '\(other)' is not one of disable, prefer, require")
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
