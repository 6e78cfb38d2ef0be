import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain

/// The operations of `openapi.yaml`, implemented: each decodes what the generated code could not
/// know (the event body, version headers), calls the application, and answers in the generated
/// types. Errors are thrown and become problem+json in ``ProblemMiddleware``.
struct APIHandler: APIProtocol {
    let services: ApplicationServices
    let metrics: @Sendable () -> String

    // MARK: Service

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        let report = await services.health.check()
        let database = Components.Schemas.Health.DatabasePayload(
            status: report.reachable ? .up : .down, latencyMs: report.latencyMilliseconds, serverVersion: report.serverVersion,
            schemaVersion: report.schemaVersion, error: report.error)
        if report.reachable {
            return .ok(.init(body: .json(.init(status: .ok, database: database))))
        }
        AppRequestContext.current?.logger.warning("health check: database unreachable", metadata: ["error": "\(report.error ?? "")"])
        return .serviceUnavailable(.init(headers: .init(retryAfter: Problem.retryAfterSeconds), body: .json(.init(status: .unavailable, database: database))))
    }

    func metrics(_ input: Operations.Metrics.Input) async throws -> Operations.Metrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics()))))
    }

    func openAPIDocument(_ input: Operations.OpenAPIDocument.Input) async throws -> Operations.OpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.text))))
    }

    // MARK: Agreements

    func fileAgreementEvent(_ input: Operations.FileAgreementEvent.Input) async throws -> Operations.FileAgreementEvent.Output {
        let (context, actor) = try AppRequestContext.requireActor()
        guard case .json(let body) = input.body else { throw Problem.badRequest(field: "", rule: "json", "the body must be JSON") }
        let filing = try Self.filing(body, ifMatch: input.headers.ifMatch, idempotencyKey: input.headers.idempotencyKey, context: context)
        let outcome = try await services.agreements.file(filing, on: input.path.id, by: actor)
        let (etag, location, replayed) = Self.headers(outcome, location: "/v1/agreements/\(input.path.id)")
        return .created(.init(headers: .init(eTag: etag, location: location, idempotentReplayed: replayed), body: .json(.init(outcome))))
    }

    func getAgreement(_ input: Operations.GetAgreement.Input) async throws -> Operations.GetAgreement.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let snapshot = try await services.agreements.snapshot(input.path.id, for: actor)
        let etag = Self.etag(snapshot.version)
        if input.headers.ifNoneMatch == etag { return .notModified(.init(headers: .init(eTag: etag))) }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try .init(snapshot))))
    }

    func listAgreementEvents(_ input: Operations.ListAgreementEvents.Input) async throws -> Operations.ListAgreementEvents.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let (from, limit) = (input.query.from ?? 1, input.query.limit ?? 100)
        let page = try await services.agreements.history(input.path.id, for: actor, from: Int64(from), limit: limit)
        return .ok(.init(body: .json(try .init(page, path: "/v1/agreements/\(input.path.id)/events", limit: limit))))
    }

    // MARK: District lists

    func fileCatalogueEvent(_ input: Operations.FileCatalogueEvent.Input) async throws -> Operations.FileCatalogueEvent.Output {
        let (context, actor) = try AppRequestContext.requireActor()
        guard case .json(let body) = input.body else { throw Problem.badRequest(field: "", rule: "json", "the body must be JSON") }
        let filing = try Self.filing(body, ifMatch: input.headers.ifMatch, idempotencyKey: input.headers.idempotencyKey, context: context)
        let (district, year) = (input.path.district, input.path.year)
        let outcome = try await services.catalogues.file(filing, district: district, year: year, by: actor)
        let (etag, location, replayed) = Self.headers(outcome, location: "/v1/districts/\(district)/lists/\(year)")
        return .created(.init(headers: .init(eTag: etag, location: location, idempotentReplayed: replayed), body: .json(.init(outcome))))
    }

    func getCatalogue(_ input: Operations.GetCatalogue.Input) async throws -> Operations.GetCatalogue.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let snapshot = try await services.catalogues.snapshot(district: input.path.district, year: input.path.year, for: actor)
        return .ok(.init(headers: .init(eTag: Self.etag(snapshot.version)), body: .json(try .init(snapshot))))
    }

    func listCatalogueEvents(_ input: Operations.ListCatalogueEvents.Input) async throws -> Operations.ListCatalogueEvents.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let (district, year) = (input.path.district, input.path.year)
        let (from, limit) = (input.query.from ?? 1, input.query.limit ?? 100)
        let page = try await services.catalogues.history(district: district, year: year, for: actor, from: Int64(from), limit: limit)
        return .ok(.init(body: .json(try .init(page, path: "/v1/districts/\(district)/lists/\(year)/events", limit: limit))))
    }

    // MARK: Helpers

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// A filing's answer headers: the new version, where the stream is read, whether this was a retry.
    static func headers(_ outcome: FilingOutcome, location: String) -> (String, String, Components.Headers.IdempotentReplayed?) {
        (etag(outcome.streamVersion), location, outcome.replayed ? ._true : nil)
    }

    /// The filing in the application's terms: the body's data as JSON, the version pinned by
    /// `If-Match` or `expectedVersion`, the retry key.
    static func filing(_ body: Components.Schemas.FilingRequest, ifMatch: String?, idempotencyKey: String?, context: AppRequestContext) throws -> Filing {
        var pin: VersionPin?
        if let ifMatch {
            let trimmed = ifMatch.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard let version = Int64(trimmed), version >= 0 else {
                throw Problem.badRequest(field: "/If-Match", rule: "version", "If-Match carries the stream version as an ETag, e.g. \"4\" (版本号)")
            }
            pin = VersionPin(version, from: .precondition)
        } else if let expected = body.expectedVersion {
            guard expected >= 0 else {
                throw Problem.badRequest(field: "/expectedVersion", rule: "version", "expectedVersion is the stream version you read: a whole number ≥ 0 (版本号)")
            }
            pin = VersionPin(expected, from: .body)
        }
        if let key = idempotencyKey {
            guard (1...200).contains(key.utf8.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw Problem.badRequest(field: "/Idempotency-Key", rule: "idempotency-key", "Idempotency-Key is 1–200 visible ASCII characters, e.g. a UUID (幂等键格式)")
            }
        }
        guard !body._type.isEmpty else {
            throw Problem.badRequest(field: "/type", rule: "required", "type is required: the event type, e.g. AgreementSigned (事件类型)")
        }
        let data = try APIJSON.encoder.encode(body.data)
        return Filing(type: body._type, occurredAt: body.occurredAt, data: data, pin: pin, idempotencyKey: idempotencyKey, requestID: context.requestID)
    }
}
