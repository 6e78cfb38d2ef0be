/// A required text field holds more than whitespace.
func requireText(_ value: String, _ field: String) throws(DomainError) {
    guard !value.allSatisfy(\.isWhitespace) else {
        throw DomainError(rule: "required", field: field, "\(field.split(separator: "/").last.map(String.init) ?? field) must not be empty (必填)")
    }
}
