//! Source text to a JSON value plus a map from JSON pointer to position (YAML or JSON).
