// Starts ReDoc on /api/redoc/ (web/templates/apidocs/redoc.html) with the settings of the json_script block
// "redoc-settings": among them the response's CSP nonce, which ReDoc puts on the <style> elements it writes.
(function () {
  "use strict";
  // ReDoc's menu ends with its maker's logo, an image on cdn.redoc.ly, whose address it sets both as an attribute
  // and as a property. The policy would block it, but only after the browser had tried and reported a
  // violation: the address is turned into an empty image first, so the page asks no other site for anything
  // (ReDoc then leaves the image out).
  var foreign = "https://cdn.redoc.ly/";
  function local(value) {
    return String(value).indexOf(foreign) === 0 ? "data:," : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, this instanceof HTMLImageElement && name === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
    configurable: true
  });
  var box = document.getElementById("redoc");
  var settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  window.Redoc.init(box.getAttribute("data-schema-url"), settings, box);
})();
