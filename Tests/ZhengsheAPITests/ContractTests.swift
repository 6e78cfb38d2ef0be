import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ZhengsheStore
import Testing
import Yams
import ZhengsheAPI
import ZhengsheDomain

/// The contract in `openapi.yaml` against the code: every event type has a schema and an example
/// that the service accepts, and every route the service has is in the document.
@Suite struct ContractTests {
    let document: [String: Any] = (try? Yams.load(yaml: OpenAPIDocument.text) as? [String: Any]) ?? [:]

    var schemas: [String: Any] { ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:] }

    @Test func everyEventTypeHasASchemaAndAnExampleTheServiceAccepts() throws {
        #expect(document["openapi"] as? String == "3.1.0")
        func check<Event: StreamEvent>(_: Event.Type, enumName: String) throws {
            let listed = (schemas[enumName] as? [String: Any])?["enum"] as? [String] ?? []
            #expect(Set(listed) == Set(Event.typeNames), "\(enumName) lists the types the service knows")
            for type in Event.typeNames {
                let schema = try #require(schemas[type] as? [String: Any], "\(type) has no schema")
                let example = try #require((schema["examples"] as? [Any])?.first, "\(type) has no example")
                let data = try JSONSerialization.data(withJSONObject: example)
                #expect(throws: Never.self, "the example of \(type) decodes") { _ = try Event.decode(typeName: type, data: data) }
                let required = schema["required"] as? [String] ?? []
                for field in required { #expect((example as? [String: Any])?[field] != nil, "\(type)'s example has \(field)") }
            }
        }
        try check(AgreementEvent.self, enumName: "AgreementEventType")
        try check(CatalogueEvent.self, enumName: "CatalogueEventType")
    }

    @Test func everyRouteIsDocumented() throws {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } })
        let client = PostgresClient(configuration: .init(host: "localhost", username: "unused", password: nil, database: nil, tls: .disable), backgroundLogger: Logger(label: "unused"))
        let router = buildRouter(database: client, store: PostgresEventStore(client: client, logger: Logger(label: "unused")), clock: Date.init, logger: Logger(label: "unused"))
        let served = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method) /\(path)"
        })
        #expect(!served.isEmpty)
        #expect(documented == served)
    }
}
