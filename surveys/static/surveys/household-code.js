// A leaflet's QR code carries its household code after "#", a part of an address that
// browsers never send to a server, so no server or proxy log ever holds it. This takes it
// out of the address bar and sends it to the survey in a POST, which keeps the code for
// this survey only and comes back to the plain address.
(function () {
  var match = /^#([A-Za-z0-9-]{8,12})$/.exec(window.location.hash);
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!match || !token) {
    return;
  }
  history.replaceState(null, "", window.location.pathname);
  var form = document.createElement("form");
  form.method = "post";
  form.action = window.location.pathname;
  [["csrfmiddlewaretoken", token.value], ["step", "code"], ["code", match[1]]].forEach(
    function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    }
  );
  document.body.appendChild(form);
  form.submit();
})();
