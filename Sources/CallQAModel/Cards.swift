/// One version of a coaching card as it is stored: what identifies it and its text.
/// Scorecard turns YAML into cards; the store keeps this and never parses it.
public struct CardVersion: Sendable, Equatable {
    public var id: String
    /// SHA-256 of the file's bytes: a changed card is a new version.
    public var contentHash: String
    public var name: String
    /// Quality target (percent).
    public var target: Double
    public var file: String
    /// The YAML as read.
    public var text: String

    public init(id: String, contentHash: String, name: String, target: Double, file: String, text: String) {
        self.id = id
        self.contentHash = contentHash
        self.name = name
        self.target = target
        self.file = file
        self.text = text
    }
}

/// What reports need of a card's structure: its sections (names, weights) and the text of
/// each criterion. Built from the card where it is parsed, never by a renderer.
public struct CardOutline: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var id: String
        public var name: String?
        /// W_s of the score formula (1 unless the card sets `weight:`).
        public var weight: Double

        public init(id: String, name: String?, weight: Double) {
            self.id = id
            self.name = name
            self.weight = weight
        }
    }

    public var sections: [Section]
    /// Criterion id → its question as the card words it.
    public var criterionTexts: [String: String]

    public init(sections: [Section], criterionTexts: [String: String]) {
        self.sections = sections
        self.criterionTexts = criterionTexts
    }
}
