public import ArgumentParser
import Foundation
public import ZhengsheAPI
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheStore

/// What the district bureau and its evaluators take away: the two-way report (`report two-way`)
/// and the third party's survey frame (`evaluation frame`), read from the database as the API
/// answers them, as an operator with access to it (admin).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports to hand on (报告).",
        subcommands: [TwoWay.self]
    )

    struct TwoWay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "two-way",
            abstract: "The two-way evaluation report of a district and year (双向评估报告), as HTML, CSV or JSON.",
            discussion: """
                The same document as GET /v1/reports/two-way. The read side must have been built (`zhengshe serve` builds it);
                a finalized evaluation reads exactly as it was finalized, an open one as a preview as of today.
                """)
        @Option(help: "The district's 6-digit code.") var district: String
        @Option(help: "The year evaluated.") var year: Int
        @Option(help: "html, csv or json.") var format: TwoWayDocuments.Format = .html
        @Option(help: "A finalized version to read (the current one when absent).") var version: Int?
        @Option(help: "Write to this file rather than standard output.") var out: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (district, year, version, format) = (district, year, version, format)
            let data = try await database.withClient { client, logger in
                let services = ApplicationServices(
                    store: PostgresEventStore(client: client, logger: logger), tokens: TokenStore(client: client, logger: logger), logger: logger)
                let report = try await CommandLineAnswer.run { try await services.twoWay.report(district: district, year: year, version: version, for: .operator) }
                return try TwoWayDocuments.render(report, as: format)
            }
            try CommandLineAnswer.write(data, to: out)
        }
    }
}

struct EvaluationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluation",
        abstract: "A district's year-end evaluation (双向评估).",
        subcommands: [Frame.self]
    )

    struct Frame: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The third party's survey frame (调查框架): each committee's items and its government's commitments to ask about, and the sample to reach.",
            discussion: "As CSV (UTF-8 with BOM, for Excel; filled in, it is uploaded to POST /v1/districts/{district}/evaluations/{year}/surveys) or JSON.")
        @Option(help: "The district's 6-digit code.") var district: String
        @Option(help: "The year evaluated.") var year: Int
        @Option(help: "csv or json.") var format: TwoWayDocuments.Format = .csv
        @Option(help: "Write to this file rather than standard output.") var out: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard format != .html else { throw ValidationError("the frame is CSV or JSON") }
        }

        func run() async throws {
            let (district, year, format) = (district, year, format)
            let data = try await database.withClient { client, logger in
                let services = ApplicationServices(
                    store: PostgresEventStore(client: client, logger: logger), tokens: TokenStore(client: client, logger: logger), logger: logger)
                let frame = try await CommandLineAnswer.run { try await services.twoWay.frame(district: district, year: year, for: .operator) }
                return try TwoWayDocuments.frame(frame, as: format)
            }
            try CommandLineAnswer.write(data, to: out)
        }
    }
}

extension TwoWayDocuments.Format: ExpressibleByArgument {}

extension Actor {
    /// Whoever runs a command with the database's own credentials: sees everything, as admin does.
    static let `operator` = Actor(name: "command line", role: .admin, party: nil)
}

/// What a command says when the application refuses: the message a clerk can act on, not a trace.
enum CommandLineAnswer {
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch ApplicationError.notFound(let what, _) {
            throw ValidationError("no \(what) (不存在)")
        } catch ApplicationError.badRequest(_, _, let message) {
            throw ValidationError(message)
        } catch ApplicationError.readSideBuilding {
            throw ValidationError("the read side has not been built yet: start `zhengshe serve` on this database and try again (读取侧尚未生成)")
        } catch ApplicationError.projectionLag(let projection, let position) {
            throw ValidationError("the read side (\(projection)) has not yet reached position \(position): let `zhengshe serve` bring it up to date and try again (读取侧尚未更新)")
        } catch ApplicationError.unavailable(let reason) {
            throw ValidationError("the database cannot be reached: \(reason) (数据库不可用)")
        }
    }

    static func write(_ data: Data, to path: String?) throws {
        if let path {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
