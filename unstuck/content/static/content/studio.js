// Progressive enhancement for the unit form: when the author picks another kind and has
// not touched the payload, show that kind's example payload instead.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  var payload = document.getElementById("id_payload");
  var data = document.getElementById("st-examples");
  if (!kind || !payload || !data) return;
  var examples = JSON.parse(data.textContent);
  var pristine = function () {
    var text = payload.value.trim();
    return Object.keys(examples).some(function (k) {
      return JSON.stringify(examples[k], null, 2) === text;
    }) || text === "" || text === "{}";
  };
  kind.addEventListener("change", function () {
    if (pristine() && examples[kind.value]) payload.value = JSON.stringify(examples[kind.value], null, 2);
  });
})();
