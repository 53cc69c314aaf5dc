//! The amenities a space can list. A fixed list keeps search filters meaningful
//! ("wifi", never "WiFi" and "wi-fi" beside it).

pub const AMENITIES: &[&str] = &[
    "wifi",
    "coffee",
    "kitchen",
    "printer",
    "phone_booths",
    "meeting_rooms",
    "lockers",
    "showers",
    "bike_parking",
    "car_parking",
    "wheelchair_access",
    "pet_friendly",
    "24h_access",
    "reception",
    "event_space",
    "outdoor_space",
    "air_conditioning",
    "standing_desks",
    "monitors",
    "mail_handling",
];

pub fn is_known(name: &str) -> bool {
    AMENITIES.contains(&name)
}
