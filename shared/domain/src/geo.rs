//! Coordinates and their H3 cells (the geo-search keys).

use h3o::{LatLng, Resolution};
use serde::{Deserialize, Serialize};

use crate::space::GeoPoint;
use crate::validate::Violations;

/// Resolutions a location is indexed at: 7 (~1.2 km edges) serves small radii, 5
/// (~8.5 km edges) large ones, so any search reads a bounded number of cells.
pub const INDEX_RESOLUTIONS: [Resolution; 2] = [Resolution::Five, Resolution::Seven];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoCells {
    pub r5: String,
    pub r7: String,
}

pub fn validate_point(v: &mut Violations, field: &str, p: &GeoPoint) {
    v.check(
        p.lat.is_finite() && (-90.0..=90.0).contains(&p.lat),
        format!("{field}.lat"),
        "range",
        "must be between -90 and 90",
    );
    v.check(
        p.lng.is_finite() && (-180.0..=180.0).contains(&p.lng),
        format!("{field}.lng"),
        "range",
        "must be between -180 and 180",
    );
}

/// The H3 cells of a valid point (validate first).
pub fn cells(p: &GeoPoint) -> Option<GeoCells> {
    let ll = LatLng::new(p.lat, p.lng).ok()?;
    Some(GeoCells {
        r5: ll.to_cell(Resolution::Five).to_string(),
        r7: ll.to_cell(Resolution::Seven).to_string(),
    })
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(a: &GeoPoint, b: &GeoPoint) -> f64 {
    const R: f64 = 6371.0088;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlng = (b.lng - a.lng).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_distance() {
        let berlin = GeoPoint {
            lat: 52.52,
            lng: 13.405,
        };
        let c = cells(&berlin).unwrap();
        assert_eq!(c.r7.len(), 15);
        assert_ne!(c.r5, c.r7);
        let paris = GeoPoint {
            lat: 48.8566,
            lng: 2.3522,
        };
        let d = distance_km(&berlin, &paris);
        assert!((d - 878.0).abs() < 5.0, "{d}");
        let mut v = Violations::new();
        validate_point(
            &mut v,
            "location",
            &GeoPoint {
                lat: 91.0,
                lng: f64::NAN,
            },
        );
        assert_eq!(
            v.into_result().unwrap_err().to_string(),
            "invalid request: location.lat (range), location.lng (range)"
        );
    }
}
