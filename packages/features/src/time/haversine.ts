const RAD = Math.PI / 180;

/**
 * Great-circle distance between two points given in degrees, on a sphere of `radius`
 * (haversine formula, R. W. Sinnott, "Virtues of the Haversine", Sky & Telescope 1984):
 * `2 r asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`, which stays accurate for
 * small distances where the spherical law of cosines loses digits.
 *
 * @example
 * haversineDistance(48.8566, 2.3522, 51.5074, -0.1278, 6371.0088); // ≈ 343.56 (Paris–London, km)
 */
export function haversineDistance(lat1: number, lon1: number, lat2: number, lon2: number, radius: number): number {
  const dPhi = (lat2 - lat1) * RAD;
  const dLambda = (lon2 - lon1) * RAD;
  const a = Math.sin(dPhi / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLambda / 2) ** 2;
  return 2 * radius * Math.asin(Math.min(1, Math.sqrt(a)));
}
