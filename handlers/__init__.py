"""The service layer: channel-agnostic conversation engine, flows, rules and i18n."""
