public import Foundation

/// Events as the log stores them: a type name and a JSON body.
public protocol StreamEvent: Sendable {
    /// The stored type name, e.g. `AgreementSigned`.
    var typeName: String { get }
    /// The body as JSON.
    func encodedData() throws -> Data
    /// Reads a stored or filed event of type `typeName`.
    /// - Throws: ``EventDecodingError``.
    static func decode(typeName: String, data: Data) throws -> Self
    /// Every type name this stream accepts.
    static var typeNames: [String] { get }
}

public enum EventDecodingError: Error, Hashable, Sendable {
    /// No event of this type exists on the stream.
    case unknownType(String)
    /// The body does not fit the type: the JSON pointer of the field and why.
    case invalidData(field: String, reason: String)
}

enum EventJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw EventDecodingError.invalidData(field: pointer(context.codingPath + [key]), reason: "is required")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw EventDecodingError.invalidData(field: pointer(context.codingPath), reason: "must be \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw EventDecodingError.invalidData(field: pointer(context.codingPath), reason: "must be \(describe(expected)), not null")
        } catch let DecodingError.dataCorrupted(context) {
            throw EventDecodingError.invalidData(field: pointer(context.codingPath), reason: context.debugDescription)
        }
    }

    static func pointer(_ path: [any CodingKey]) -> String {
        "/data" + path.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
    }
}

extension CatalogueEvent: StreamEvent {
    public static let typeNames = [
        "ListItemPublished", "ListItemWithdrawn", "AdmissionRequested", "AdmissionGranted", "AdmissionRejected", "AdmissionRevoked",
    ]

    public var typeName: String {
        switch self {
        case .listItemPublished: "ListItemPublished"
        case .listItemWithdrawn: "ListItemWithdrawn"
        case .admissionRequested: "AdmissionRequested"
        case .admissionGranted: "AdmissionGranted"
        case .admissionRejected: "AdmissionRejected"
        case .admissionRevoked: "AdmissionRevoked"
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .listItemPublished(let e): try EventJSON.encoder.encode(e)
        case .listItemWithdrawn(let e): try EventJSON.encoder.encode(e)
        case .admissionRequested(let e): try EventJSON.encoder.encode(e)
        case .admissionGranted(let e): try EventJSON.encoder.encode(e)
        case .admissionRejected(let e): try EventJSON.encoder.encode(e)
        case .admissionRevoked(let e): try EventJSON.encoder.encode(e)
        }
    }

    public static func decode(typeName: String, data: Data) throws -> CatalogueEvent {
        switch typeName {
        case "ListItemPublished": .listItemPublished(try EventJSON.decode(ListItemPublished.self, data))
        case "ListItemWithdrawn": .listItemWithdrawn(try EventJSON.decode(ListItemWithdrawn.self, data))
        case "AdmissionRequested": .admissionRequested(try EventJSON.decode(AdmissionRequested.self, data))
        case "AdmissionGranted": .admissionGranted(try EventJSON.decode(AdmissionGranted.self, data))
        case "AdmissionRejected": .admissionRejected(try EventJSON.decode(AdmissionRejected.self, data))
        case "AdmissionRevoked": .admissionRevoked(try EventJSON.decode(AdmissionRevoked.self, data))
        default: throw EventDecodingError.unknownType(typeName)
        }
    }
}

extension AgreementEvent: StreamEvent {
    public static let typeNames = [
        "AgreementDrafted", "TermsProposed", "AgreementSigned", "SigningRefused", "AgreementTookEffect",
        "AmendmentProposed", "AmendmentSigned", "AmendmentTookEffect", "AmendmentWithdrawn", "AmendmentRefused",
        "DutyReported", "ReportVerified", "ReportRejected", "GuidanceGiven", "FundsTransferred", "ReceiptConfirmed",
        "ReceiptDiscrepancyReported", "TaskRefused", "BreachClaimFiled", "BreachClaimAnswered", "BreachClaimSettled",
        "RectificationReported", "BreachClaimWithdrawn", "AgreementTerminated", "AgreementClosed",
    ]

    public var typeName: String {
        switch self {
        case .drafted: "AgreementDrafted"
        case .termsProposed: "TermsProposed"
        case .signed: "AgreementSigned"
        case .signingRefused: "SigningRefused"
        case .tookEffect: "AgreementTookEffect"
        case .amendmentProposed: "AmendmentProposed"
        case .amendmentSigned: "AmendmentSigned"
        case .amendmentTookEffect: "AmendmentTookEffect"
        case .amendmentWithdrawn: "AmendmentWithdrawn"
        case .amendmentRefused: "AmendmentRefused"
        case .dutyReported: "DutyReported"
        case .reportVerified: "ReportVerified"
        case .reportRejected: "ReportRejected"
        case .guidanceGiven: "GuidanceGiven"
        case .fundsTransferred: "FundsTransferred"
        case .receiptConfirmed: "ReceiptConfirmed"
        case .receiptDiscrepancyReported: "ReceiptDiscrepancyReported"
        case .taskRefused: "TaskRefused"
        case .breachClaimFiled: "BreachClaimFiled"
        case .breachClaimAnswered: "BreachClaimAnswered"
        case .breachClaimSettled: "BreachClaimSettled"
        case .rectificationReported: "RectificationReported"
        case .breachClaimWithdrawn: "BreachClaimWithdrawn"
        case .terminated: "AgreementTerminated"
        case .closed: "AgreementClosed"
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .drafted(let e): try EventJSON.encoder.encode(e)
        case .termsProposed(let e): try EventJSON.encoder.encode(e)
        case .signed(let e): try EventJSON.encoder.encode(e)
        case .signingRefused(let e): try EventJSON.encoder.encode(e)
        case .tookEffect(let e): try EventJSON.encoder.encode(e)
        case .amendmentProposed(let e): try EventJSON.encoder.encode(e)
        case .amendmentSigned(let e): try EventJSON.encoder.encode(e)
        case .amendmentTookEffect(let e): try EventJSON.encoder.encode(e)
        case .amendmentWithdrawn(let e): try EventJSON.encoder.encode(e)
        case .amendmentRefused(let e): try EventJSON.encoder.encode(e)
        case .dutyReported(let e): try EventJSON.encoder.encode(e)
        case .reportVerified(let e): try EventJSON.encoder.encode(e)
        case .reportRejected(let e): try EventJSON.encoder.encode(e)
        case .guidanceGiven(let e): try EventJSON.encoder.encode(e)
        case .fundsTransferred(let e): try EventJSON.encoder.encode(e)
        case .receiptConfirmed(let e): try EventJSON.encoder.encode(e)
        case .receiptDiscrepancyReported(let e): try EventJSON.encoder.encode(e)
        case .taskRefused(let e): try EventJSON.encoder.encode(e)
        case .breachClaimFiled(let e): try EventJSON.encoder.encode(e)
        case .breachClaimAnswered(let e): try EventJSON.encoder.encode(e)
        case .breachClaimSettled(let e): try EventJSON.encoder.encode(e)
        case .rectificationReported(let e): try EventJSON.encoder.encode(e)
        case .breachClaimWithdrawn(let e): try EventJSON.encoder.encode(e)
        case .terminated(let e): try EventJSON.encoder.encode(e)
        case .closed(let e): try EventJSON.encoder.encode(e)
        }
    }

    public static func decode(typeName: String, data: Data) throws -> AgreementEvent {
        switch typeName {
        case "AgreementDrafted": .drafted(try EventJSON.decode(AgreementDrafted.self, data))
        case "TermsProposed": .termsProposed(try EventJSON.decode(TermsProposed.self, data))
        case "AgreementSigned": .signed(try EventJSON.decode(AgreementSigned.self, data))
        case "SigningRefused": .signingRefused(try EventJSON.decode(SigningRefused.self, data))
        case "AgreementTookEffect": .tookEffect(try EventJSON.decode(AgreementTookEffect.self, data))
        case "AmendmentProposed": .amendmentProposed(try EventJSON.decode(AmendmentProposed.self, data))
        case "AmendmentSigned": .amendmentSigned(try EventJSON.decode(AmendmentSigned.self, data))
        case "AmendmentTookEffect": .amendmentTookEffect(try EventJSON.decode(AmendmentTookEffect.self, data))
        case "AmendmentWithdrawn": .amendmentWithdrawn(try EventJSON.decode(AmendmentWithdrawn.self, data))
        case "AmendmentRefused": .amendmentRefused(try EventJSON.decode(AmendmentRefused.self, data))
        case "DutyReported": .dutyReported(try EventJSON.decode(DutyReported.self, data))
        case "ReportVerified": .reportVerified(try EventJSON.decode(ReportVerified.self, data))
        case "ReportRejected": .reportRejected(try EventJSON.decode(ReportRejected.self, data))
        case "GuidanceGiven": .guidanceGiven(try EventJSON.decode(GuidanceGiven.self, data))
        case "FundsTransferred": .fundsTransferred(try EventJSON.decode(FundsTransferred.self, data))
        case "ReceiptConfirmed": .receiptConfirmed(try EventJSON.decode(ReceiptConfirmed.self, data))
        case "ReceiptDiscrepancyReported": .receiptDiscrepancyReported(try EventJSON.decode(ReceiptDiscrepancyReported.self, data))
        case "TaskRefused": .taskRefused(try EventJSON.decode(TaskRefused.self, data))
        case "BreachClaimFiled": .breachClaimFiled(try EventJSON.decode(BreachClaimFiled.self, data))
        case "BreachClaimAnswered": .breachClaimAnswered(try EventJSON.decode(BreachClaimAnswered.self, data))
        case "BreachClaimSettled": .breachClaimSettled(try EventJSON.decode(BreachClaimSettled.self, data))
        case "RectificationReported": .rectificationReported(try EventJSON.decode(RectificationReported.self, data))
        case "BreachClaimWithdrawn": .breachClaimWithdrawn(try EventJSON.decode(BreachClaimWithdrawn.self, data))
        case "AgreementTerminated": .terminated(try EventJSON.decode(AgreementTerminated.self, data))
        case "AgreementClosed": .closed(try EventJSON.decode(AgreementClosed.self, data))
        default: throw EventDecodingError.unknownType(typeName)
        }
    }
}
