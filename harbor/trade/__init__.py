"""Trade rules: HS nomenclature titles, tariff schedules, rules of origin, the origin calculator, the
Form E pre-check, landed cost, non-tariff measures and change alerts."""
