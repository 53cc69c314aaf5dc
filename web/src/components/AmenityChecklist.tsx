import { AMENITIES, label } from "@/lib/places";

/** The fixed amenity list as checkboxes named `amenities` (read with `FormData.getAll`). */
export function AmenityChecklist() {
  return (
    <fieldset>
      <legend>Amenities</legend>
      <div className="row">
        {AMENITIES.map((a) => (
          <label key={a} style={{ fontWeight: 400, marginTop: 0 }}>
            <input type="checkbox" name="amenities" value={a} /> {label(a)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
