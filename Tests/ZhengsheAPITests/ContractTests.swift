import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PostgresNIO
import Testing
import Yams
import ZhengsheAPI
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheServer
import ZhengsheStore

/// The contract in `openapi.yaml` against the code. The server's interface and types are generated
/// from it, so routes and answer shapes cannot drift; these tests check what generation cannot:
/// the free-form event bodies, the fields the service fills in, and that the document the binary
/// serves is the one in the tree. Every answer the API suites see is also validated against it
/// (``ContractValidator``, in the harness).
@Suite struct ContractTests {
    let contract = ContractValidator.shared

    @Test func everyEventTypeHasASchemaAndAnExampleTheServiceAccepts() throws {
        #expect(contract.document["openapi"] as? String == "3.1.0")
        func check<Event: StreamEvent>(_: Event.Type, enumName: String) throws {
            let listed = (contract.schemas[enumName] as? [String: Any])?["enum"] as? [String] ?? []
            #expect(Set(listed) == Set(Event.typeNames), "\(enumName) lists the types the service knows")
            for type in Event.typeNames {
                let schema = try #require(contract.schemas[type] as? [String: Any], "\(type) has no schema")
                let example = try #require((schema["examples"] as? [Any])?.first, "\(type) has no example")
                let data = try JSONSerialization.data(withJSONObject: example)
                // As a client would file it: strictly, no unknown or service-filled fields.
                #expect(throws: Never.self, "the example of \(type) is a filing the service accepts") {
                    _ = try Event.decodeFiling(typeName: type, data: data)
                }
                let required = schema["required"] as? [String] ?? []
                for field in required { #expect((example as? [String: Any])?[field] != nil, "\(type)'s example has \(field)") }
                // The fields the document marks readOnly are the ones the coding table says the service fills in.
                let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
                let readOnly = Set(properties.filter { $0.value["readOnly"] as? Bool == true }.keys)
                #expect(readOnly == (try Event.coding.coder(named: type)).readOnly, "\(type): readOnly fields")
                #expect(schema["additionalProperties"] as? Bool == false, "\(type) says that unknown fields are refused")
            }
        }
        try check(AgreementEvent.self, enumName: "AgreementEventType")
        try check(CatalogueEvent.self, enumName: "CatalogueEventType")
        try check(EvaluationEvent.self, enumName: "EvaluationEventType")
    }

    /// The answers the document shows as examples are answers it allows.
    @Test func everyResponseExampleFitsItsSchema() throws {
        var checked = 0
        for (template, item) in contract.paths {
            let path = template.replacingOccurrences(of: "{district}", with: "320402").replacingOccurrences(of: "{government}", with: "320402001")
                .replacingOccurrences(of: "{committee}", with: "320402001001").replacingOccurrences(of: "{id}", with: "320402001001-2026")
                .replacingOccurrences(of: "{year}", with: "2026")
            for (method, operation) in item where method != "parameters" {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                for (status, response) in responses {
                    guard let json = ((response as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any],
                          let example = json["example"] else { continue }
                    let body = try JSONSerialization.data(withJSONObject: example)
                    let found = contract.violations(method: HTTPRequest.Method(rawValue: method.uppercased())!, path: path, status: Int(status)!,
                                                    contentType: "application/json", body: body)
                    #expect(found.isEmpty, "\(method) \(template) \(status): \(found)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 7, "the read side's answers carry examples")
    }

    @Test func everyRouteIsDocumented() throws {
        let documented = Set(contract.paths.flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } })
        let client = PostgresClient(configuration: .init(host: "localhost", username: "unused", password: nil, database: nil, tls: .disable), backgroundLogger: Logger(label: "unused"))
        let store = PostgresEventStore(client: client, logger: Logger(label: "unused"))
        let router = try buildRouter(ApplicationServices(store: store, tokens: TokenStore(client: client, logger: Logger(label: "unused")), logger: Logger(label: "unused")))
        let served = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method) /\(path)"
        })
        #expect(!served.isEmpty)
        #expect(documented == served)
    }

    /// The binary carries the document (an installed service has no resource bundle) and it is
    /// the one in the source tree.
    @Test func theServedDocumentIsCompiledIn() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/ZhengsheAPI/openapi.yaml")
        #expect(OpenAPIDocument.text == (try String(contentsOf: source, encoding: .utf8)))
        #expect(OpenAPIDocument.text.contains("\nopenapi: 3.1.0\n"))
    }

    /// The validator the harness runs on every answer finds what is wrong (so a passing suite means something).
    @Test func theValidatorCatchesAnswersOutsideTheContract() {
        let good = Data(#"{"status":"ok","database":{"status":"up","schemaVersion":1}}"#.utf8)
        #expect(contract.violations(method: .get, path: "/health", status: 200, contentType: "application/json", body: good).isEmpty)
        let extra = Data(#"{"status":"ok","database":{"status":"up"},"uptime":3}"#.utf8)
        #expect(contract.violations(method: .get, path: "/health", status: 200, contentType: "application/json", body: extra) == ["GET /health 200: /uptime is not in the schema"])
        #expect(!contract.violations(method: .get, path: "/health", status: 418, contentType: "application/json", body: good).isEmpty)
        #expect(!contract.violations(method: .get, path: "/health", status: 200, contentType: "text/plain", body: good).isEmpty)
        let offset = Data(#"{"stream":"s","streamVersion":1,"globalPosition":1,"events":[{"eventId":"0a4f0f76-7b57-4d4c-9f3c-3c8e2e1b1f00","type":"T","streamVersion":1,"globalPosition":1,"recordedAt":"2026-11-01T10:46:16.086+0800","hash":"h"}]}"#.utf8)
        #expect(contract.violations(method: .post, path: "/v1/agreements/320412001001-2026/events", status: 201, contentType: "application/json", body: offset)
                == ["POST /v1/agreements/{id}/events 201: /events/0/recordedAt '2026-11-01T10:46:16.086+0800' is not a date-time"])
        let noRule = Data(#"{"type":"/problems/x","title":"t","status":404,"detail":"d"}"#.utf8)
        #expect(contract.violations(method: .get, path: "/v1/agreements/320412001001-2026", status: 404, contentType: "application/problem+json", body: noRule)
                == ["GET /v1/agreements/{id} 404: /rule is required"])
    }
}
