// Representative points of the countries in data/countries.yaml, from the vendored
// Natural Earth 1:50m shapes (api/static/vendor/world-atlas/countries-50m.json):
// the spherical centroid of the country's largest polygon, computed with the vendored
// d3-geo and topojson-client. It prints `id longitude latitude` (3 decimals), one line
// per shape name given on the command line as ID=Name, so that the coordinates in
// data/countries.yaml can be made again and checked (tests/test_map.py runs it).
//
//   node scripts/country_points.js RS=Serbia XK=Kosovo ...
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const vendor = path.join(__dirname, "..", "api", "static", "vendor");
for (const file of ["d3-array/d3-array.min.js", "d3-geo/d3-geo.min.js",
                    "topojson-client/topojson-client.min.js"]) {
  // The UMD builds attach to globalThis when there is no module system in scope.
  vm.runInThisContext(fs.readFileSync(path.join(vendor, file), "utf8"), { filename: file });
}
const { d3, topojson } = globalThis;
const world = JSON.parse(fs.readFileSync(path.join(vendor, "world-atlas", "countries-50m.json"), "utf8"));
const shapes = topojson.feature(world, world.objects.countries).features;

for (const arg of process.argv.slice(2)) {
  const [id, name] = arg.split("=");
  const shape = shapes.find((f) => f.properties.name === name);
  if (!shape) {
    process.stderr.write(`no shape named ${JSON.stringify(name)}\n`);
    process.exit(1);
  }
  const polygons = shape.geometry.type === "Polygon" ? [shape.geometry.coordinates]
    : shape.geometry.coordinates;
  let largest = polygons[0];
  for (const p of polygons) {
    if (d3.geoArea({ type: "Polygon", coordinates: p }) >
        d3.geoArea({ type: "Polygon", coordinates: largest })) largest = p;
  }
  const [lon, lat] = d3.geoCentroid({ type: "Polygon", coordinates: largest });
  if (!d3.geoContains(shape, [lon, lat])) {
    process.stderr.write(`${id}: the centroid falls outside the shape\n`);
    process.exit(1);
  }
  process.stdout.write(`${id} ${lon.toFixed(3)} ${lat.toFixed(3)}\n`);
}
