/// The evaluation stream's coding table: one row per event type (type name, body, case, and the
/// fields the service fills in). A new event type is a case, a body struct and a row here.
extension EvaluationEvent: StreamEvent {
    public static let coding = EventCoding<EvaluationEvent>([
        .init("EvaluationOpened", EvaluationOpened.self, embed: { .opened($0) }, extract: { if case .opened(let e) = $0 { e } else { nil } }),
        .init("CommitteeAssessed", CommitteeAssessed.self, embed: { .committeeAssessed($0) }, extract: { if case .committeeAssessed(let e) = $0 { e } else { nil } }),
        .init("GovernmentAssessed", GovernmentAssessed.self, embed: { .governmentAssessed($0) }, extract: { if case .governmentAssessed(let e) = $0 { e } else { nil } }),
        .init("SurveyResultsSubmitted", SurveyResultsSubmitted.self, embed: { .surveyResultsSubmitted($0) },
              extract: { if case .surveyResultsSubmitted(let e) = $0 { e } else { nil } }),
        .init("EvaluationFinalized", EvaluationFinalized.self, readOnly: ["evaluationVersion", "globalPosition", "transactionHorizon"], embed: { .finalized($0) },
              extract: { if case .finalized(let e) = $0 { e } else { nil } }),
        .init("EvaluationReopened", EvaluationReopened.self, readOnly: ["evaluationVersion"], embed: { .reopened($0) },
              extract: { if case .reopened(let e) = $0 { e } else { nil } }),
    ])
}
