// Places a member can search near without a geocoder (none is reachable offline): the
// cities the platform serves, plus the browser's own location.
export const PLACES = [
  { name: "Berlin", lat: 52.52, lng: 13.405 },
  { name: "Lisbon", lat: 38.7223, lng: -9.1393 },
  { name: "London", lat: 51.5072, lng: -0.1276 },
  { name: "New York", lat: 40.7128, lng: -74.006 },
  { name: "Paris", lat: 48.8566, lng: 2.3522 },
  { name: "Tokyo", lat: 35.6762, lng: 139.6503 },
] as const;

export const AMENITIES = [
  "wifi", "coffee", "kitchen", "printer", "phone_booths", "meeting_rooms", "lockers", "showers",
  "bike_parking", "car_parking", "wheelchair_access", "pet_friendly", "24h_access", "reception",
  "event_space", "outdoor_space", "air_conditioning", "standing_desks", "monitors", "mail_handling",
] as const;

export function label(amenity: string): string {
  return amenity.replace(/_/g, " ").replace(/^24h/, "24 h");
}
