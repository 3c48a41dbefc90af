"""Operations: readiness, the health endpoints, request serving and logs, the alert sender."""
