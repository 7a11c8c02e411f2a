package graphapi

import (
	"regexp"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// The shipments edge: each parcel with its lines, their tax and its
// tracking (current-api.md §5.2).
var (
	shipmentType     = newType("CommerceOrderShipment", true)
	shipmentItemType = newType("CommerceOrderShipmentItem", false)
	shipmentTaxType  = newType("CommerceOrderShipmentItemTax", false)
	trackingType     = newType("CommerceOrderTrackingInfo", false)
)

// shipmentLine is one line of a shipment, with the tax the shipment
// charged for its units.
type shipmentLine struct {
	item     *ordergraph.Item
	quantity int
	tax      int64
}

func declareShipmentTypes() {
	line := func(fn func(rc *renderCtx, l *shipmentLine) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	shipmentTaxType.add(
		obj("final_tax", moneyType, line(func(rc *renderCtx, l *shipmentLine) (any, bool) { return rc.money(l.tax), true })),
	).setDefaults("final_tax")
	shipmentItemType.add(
		scalar("id", line(func(_ *renderCtx, l *shipmentLine) (any, bool) { return l.item.ID, true })),
		scalar("retailer_id", line(func(_ *renderCtx, l *shipmentLine) (any, bool) { return l.item.RetailerID, true })),
		scalar("product_id", line(func(_ *renderCtx, l *shipmentLine) (any, bool) { return str(l.item.ProductID) })),
		scalar("quantity", line(func(_ *renderCtx, l *shipmentLine) (any, bool) { return l.quantity, true })),
		obj("tax", shipmentTaxType, line(func(_ *renderCtx, l *shipmentLine) (any, bool) { return l, true })),
	).setDefaults("id", "retailer_id", "product_id", "quantity", "tax")

	tracking := func(fn func(t *ordergraph.Tracking) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, t *ordergraph.Tracking) (any, bool) { return fn(t) })
	}
	trackingType.add(
		// A string, empty for carrier "other" without a number.
		scalar("tracking_number", tracking(func(t *ordergraph.Tracking) (any, bool) { return t.TrackingNumber, true })),
		scalar("carrier", tracking(func(t *ordergraph.Tracking) (any, bool) { return str(t.Carrier) })),
		scalar("shipping_method_name", tracking(func(t *ordergraph.Tracking) (any, bool) { return str(t.ShippingMethodName) })),
	).setDefaults("tracking_number", "carrier", "shipping_method_name")

	ship := func(fn func(rc *renderCtx, s *shipmentRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	shipmentType.add(
		scalar("id", ship(func(_ *renderCtx, s *shipmentRef) (any, bool) { return s.s.ID, true })),
		scalar("external_shipment_id", ship(func(_ *renderCtx, s *shipmentRef) (any, bool) { return str(s.s.ExternalShipmentID) })),
		edge("items", shipmentItemType, ship(func(_ *renderCtx, s *shipmentRef) (any, bool) { return s.lines, true })),
		obj("tracking_info", trackingType, ship(func(_ *renderCtx, s *shipmentRef) (any, bool) { return &s.s.Tracking, true })),
	).setDefaults("id", "items", "tracking_info")
}

// shipmentRef is a shipment of an order with its lines resolved.
type shipmentRef struct {
	s     *ordergraph.Shipment
	lines []any // *shipmentLine
}

// shipments lists the order's shipments in the order they were made. Each
// line's tax is its share of the line's tax for the units shipped, computed
// as the shipment captured it: cumulatively, so the shipments' taxes add up
// to the line's.
func shipments(o *ordergraph.Order) []any {
	shipped := make(map[string]int64, len(o.Items))
	out := make([]any, 0, len(o.Shipments))
	for i := range o.Shipments {
		s := &o.Shipments[i]
		ref := &shipmentRef{s: s, lines: make([]any, 0, len(s.Items))}
		for _, iq := range s.Items {
			it := o.Item(iq.ItemID)
			if it == nil {
				continue
			}
			before := shipped[it.ID]
			after := before + int64(iq.Quantity)
			shipped[it.ID] = after
			tax := ordergraph.Prorate(it.Tax, after, int64(it.Quantity)) - ordergraph.Prorate(it.Tax, before, int64(it.Quantity))
			ref.lines = append(ref.lines, &shipmentLine{item: it, quantity: iq.Quantity, tax: tax})
		}
		out = append(out, ref)
	}
	return out
}

// shipRequest is the decoded shipments request.
type shipRequest struct {
	Items                  []itemQuantity `json:"items"`
	TrackingInfo           trackingInfo   `json:"tracking_info"`
	ExternalShipmentID     string         `json:"external_shipment_id"`
	MerchantOrderReference string         `json:"merchant_order_reference"`
	Fulfillment            *fulfillment   `json:"fulfillment,omitempty"`
	UseDefaultLocation     *bool          `json:"should_use_default_fulfillment_location,omitempty"`
}

// fulfillment is where a parcel left from: a location id or an address.
type fulfillment struct {
	LocationID string              `json:"fulfillment_location_id,omitempty"`
	Address    *fulfillmentAddress `json:"fulfillment_address,omitempty"`
}

type fulfillmentAddress struct {
	Street1      string `json:"street_1"`
	Street2      string `json:"street_2"`
	City         string `json:"city"`
	State        string `json:"state"`
	ProvinceCode string `json:"province_code"`
	Country      string `json:"country"`
	PostalCode   string `json:"postal_code"`
}

// itemQuantity names some units of one line, by retailer_id or item_id.
type itemQuantity struct {
	RetailerID string `json:"retailer_id,omitempty"`
	ItemID     string `json:"item_id,omitempty"`
	Quantity   int64  `json:"quantity"`
}

type trackingInfo struct {
	Carrier            string `json:"carrier"`
	TrackingNumber     string `json:"tracking_number"`
	ShippingMethodName string `json:"shipping_method_name"`
}

func (t trackingInfo) domain() ordergraph.Tracking {
	return ordergraph.Tracking{Carrier: t.Carrier, TrackingNumber: t.TrackingNumber, ShippingMethodName: t.ShippingMethodName}
}

// carrierOther is the carrier code of a parcel without a known carrier; it
// may come without a tracking number (Magento sends it so).
const carrierOther = "other"

var externalIDRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// decodeItemQuantities reads an optional items list of
// {retailer_id|item_id, quantity}; null or [] means the whole order (nil).
func decodeItemQuantities(root node) ([]itemQuantity, error) {
	raw, ok, err := root.List("items")
	if err != nil || !ok || len(raw) == 0 {
		return nil, err
	}
	out := make([]itemQuantity, 0, len(raw))
	for i, v := range raw {
		e, err := root.Elem("items", i, v)
		if err != nil {
			return nil, err
		}
		var iq itemQuantity
		if iq.RetailerID, iq.ItemID, err = decodeItemRef(e); err != nil {
			return nil, err
		}
		if iq.Quantity, err = e.RequiredPositiveInt("quantity"); err != nil {
			return nil, err
		}
		out = append(out, iq)
	}
	return out, nil
}

// decodeItemRef reads the line an entry names: exactly one of retailer_id
// and item_id.
func decodeItemRef(e node) (retailerID, itemID string, err error) {
	if retailerID, err = e.String("retailer_id"); err != nil {
		return "", "", err
	}
	if itemID, err = e.String("item_id"); err != nil {
		return "", "", err
	}
	if (retailerID == "") == (itemID == "") {
		return "", "", errParam(e.path, msgParamIDOrNot, e.path)
	}
	return retailerID, itemID, nil
}

// decodeTracking reads a tracking_info object: a supported carrier code
// (any case) and a tracking number, which only carrier "other" may leave
// empty.
func decodeTracking(ti node) (trackingInfo, error) {
	var t trackingInfo
	carrier, err := ti.RequiredString("carrier")
	if err != nil {
		return t, err
	}
	t.Carrier = strings.ToLower(carrier)
	if !carrierCodes[t.Carrier] {
		return t, errParam(ti.name("carrier"), msgParamCarrier, ti.name("carrier"), carrier)
	}
	if t.Carrier == carrierOther {
		t.TrackingNumber, err = ti.String("tracking_number")
	} else {
		t.TrackingNumber, err = ti.RequiredString("tracking_number")
	}
	if err != nil {
		return t, err
	}
	if t.ShippingMethodName, err = ti.String("shipping_method_name"); err != nil {
		return t, err
	}
	return t, nil
}

// decodeRequiredTracking reads the tracking_info object parameter, which
// must be given.
func decodeRequiredTracking(root node) (trackingInfo, error) {
	ti, ok, err := root.Object("tracking_info")
	if err != nil {
		return trackingInfo{}, err
	}
	if !ok {
		return trackingInfo{}, errRequired("tracking_info")
	}
	return decodeTracking(ti)
}

func decodeShip(p params) (shipRequest, error) {
	root := p.root()
	var req shipRequest
	var err error
	if req.Items, err = decodeItemQuantities(root); err != nil {
		return req, err
	}
	if req.TrackingInfo, err = decodeRequiredTracking(root); err != nil {
		return req, err
	}
	if req.ExternalShipmentID, err = root.String("external_shipment_id"); err != nil {
		return req, err
	}
	if req.ExternalShipmentID != "" && !externalIDRE.MatchString(req.ExternalShipmentID) {
		return req, errParam("external_shipment_id", msgParamPattern, "external_shipment_id", req.ExternalShipmentID)
	}
	if req.MerchantOrderReference, err = root.String("merchant_order_reference"); err != nil {
		return req, err
	}
	if req.Fulfillment, err = decodeFulfillment(root); err != nil {
		return req, err
	}
	b, ok, err := root.Bool("should_use_default_fulfillment_location")
	if err != nil {
		return req, err
	}
	if ok {
		req.UseDefaultLocation = &b
	}
	// shipment_origin_postal_code, external_redemption_link and
	// shipping_tax_details are accepted and ignored, as undocumented.
	return req, nil
}

// decodeFulfillment reads fulfillment: {fulfillment_location_id} or
// {fulfillment_address{street_1, street_2?, city, state|province_code,
// country, postal_code}}, one of the two.
func decodeFulfillment(root node) (*fulfillment, error) {
	fn, ok, err := root.Object("fulfillment")
	if err != nil || !ok {
		return nil, err
	}
	var f fulfillment
	if f.LocationID, err = fn.String("fulfillment_location_id"); err != nil {
		return nil, err
	}
	an, hasAddr, err := fn.Object("fulfillment_address")
	if err != nil {
		return nil, err
	}
	if (f.LocationID != "") == hasAddr {
		return nil, errParam(fn.path, msgParamFulfillment, fn.path)
	}
	if !hasAddr {
		return &f, nil
	}
	a := &fulfillmentAddress{}
	for _, fld := range []struct {
		key      string
		dst      *string
		required bool
	}{
		{"street_1", &a.Street1, true}, {"street_2", &a.Street2, false}, {"city", &a.City, true},
		{"state", &a.State, false}, {"province_code", &a.ProvinceCode, false},
		{"country", &a.Country, true}, {"postal_code", &a.PostalCode, true},
	} {
		if fld.required {
			*fld.dst, err = an.RequiredString(fld.key)
		} else {
			*fld.dst, err = an.String(fld.key)
		}
		if err != nil {
			return nil, err
		}
	}
	f.Address = a
	return &f, nil
}

// toItemQuantities converts decoded items to the domain's.
func toItemQuantities(items []itemQuantity) []ordergraph.ItemQuantity {
	if len(items) == 0 {
		return nil
	}
	out := make([]ordergraph.ItemQuantity, len(items))
	for i, it := range items {
		out[i] = ordergraph.ItemQuantity{ItemID: it.ItemID, RetailerID: it.RetailerID, Quantity: int(it.Quantity)}
	}
	return out
}

// createShipment answers POST /{order_id}/shipments: units shipped under one
// tracking number; no items ships every unit still in progress.
func createShipment(c *call) error {
	req, err := decodeShip(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(c.page.StrictIdempotency, req, successResponse)
	if err != nil {
		return err
	}
	cmd := ordergraph.ShipCommand{
		PageID:                 c.page.ID,
		OrderID:                c.order.ID,
		Items:                  toItemQuantities(req.Items),
		Tracking:               req.TrackingInfo.domain(),
		ExternalShipmentID:     req.ExternalShipmentID,
		MerchantOrderReference: req.MerchantOrderReference,
		Idempotency:            idem,
	}
	if f := req.Fulfillment; f != nil {
		cmd.FulfillmentLocationID = f.LocationID
		if a := f.Address; a != nil {
			state := a.State
			if state == "" {
				state = a.ProvinceCode
			}
			cmd.FulfillmentAddress = &ordergraph.Address{Street1: a.Street1, Street2: a.Street2, City: a.City,
				State: state, PostalCode: a.PostalCode, Country: a.Country}
		}
	}
	res, err := c.h.cfg.Orders.Ship(c.ctx, cmd)
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}

// updateShipmentRequest is the decoded update_shipment request.
type updateShipmentRequest struct {
	ShipmentID         string       `json:"shipment_id,omitempty"`
	ExternalShipmentID string       `json:"external_shipment_id,omitempty"`
	TrackingInfo       trackingInfo `json:"tracking_info"`
}

// decodeUpdateShipment reads the shipment (shipment_id, or the older
// fulfillment_id, or external_shipment_id) and its new tracking_info.
func decodeUpdateShipment(p params) (updateShipmentRequest, error) {
	root := p.root()
	var req updateShipmentRequest
	var err error
	if req.ShipmentID, err = root.String("shipment_id"); err != nil {
		return req, err
	}
	if req.ShipmentID == "" {
		if req.ShipmentID, err = root.String("fulfillment_id"); err != nil {
			return req, err
		}
	}
	if req.ExternalShipmentID, err = root.String("external_shipment_id"); err != nil {
		return req, err
	}
	if req.ShipmentID == "" && req.ExternalShipmentID == "" {
		return req, errRequired("shipment_id or external_shipment_id")
	}
	if req.TrackingInfo, err = decodeRequiredTracking(root); err != nil {
		return req, err
	}
	return req, nil
}

// updateShipment answers POST /{order_id}/update_shipment: a shipment's new
// carrier and tracking number. The same tracking again is refused with
// 2382045, which Magento reads as "already has this tracking".
func updateShipment(c *call) error {
	req, err := decodeUpdateShipment(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(true, req, successResponse)
	if err != nil {
		return err
	}
	res, err := c.h.cfg.Orders.UpdateShipment(c.ctx, ordergraph.UpdateShipmentCommand{
		PageID: c.page.ID, OrderID: c.order.ID, ShipmentID: req.ShipmentID, ExternalShipmentID: req.ExternalShipmentID,
		Tracking: req.TrackingInfo.domain(), Idempotency: idem,
	})
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}

// carrierCodes are the carrier codes the platform supports, in lower case
// (requests may use any case). Source: Meta's "Shipping Carrier Codes" list
// (developers.facebook.com/documentation/ads-commerce/commerce-platform/order-management/carrier-codes),
// as Meta's own Magento extension ships it.
var carrierCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(carrierCodeList) {
		m[c] = true
	}
	return m
}()

const carrierCodeList = `
a_duie_pyle a_j_express ab_custom_group abf_freight abx_express acommerce acs_courier
acs_worldwide_express adicional_logistics adsone air21 airpak_express
airspeed_international_corporation alfatrex allied_express alljoy_supply_chain_co_ltd alphafast
amazon_fba_usa amazon_logistics an_post apc_overnight apc_overnight_reference
apc_postal_logistics aprisa_express aramex arrow_xl asendia_germany asendia_hk
asendia_hk_premium_service_latam asendia_uk asendia_usa asm aupost_china australia_post
australia_post_sftp austrian_post_express austrian_post_registered axl_express_logistics
b2c_europe belpost bert_transport best_express best_way_parcel birdsystem
bjs_distribution_storage_couriers bjs_distribution_storage_couriers_ftp blue_star
bluecare_express_ltd bluedart bneed bonds_couriers boxc bpost bpost_international
brazil_correios brt_bartolini brt_bartolini_parcel_id bulgarian_posts buylogic cambodia_post
canada_post canpar_courier capital_transport carrier_007ex carrier_17_post_service carrier_2go
carrier_360_lion_express carrier_4_72_entregando carrier_4px carrier_echo cbl_logistics
celeritas_transporte_sl ceska_posta ch_robinson_worldwide_inc china_ems_epacket china_post
chit_chats chronopost_france chronopost_portugal city_link_express cj_century
cj_century_international cj_gls cj_korea_express cj_logistics_international
cj_transnational_philippines clevy_links cloudwish_asia cne_express colis_prive colissimo
collect_plus collectco con_way_freight copa_airlines_courier correo_argentino correos_chile
correos_de_costa_rica correos_de_espana correos_de_mexico correos_express cosmetics_now courex
courier_it courier_plus courierpost couriers_please cpacket cuckoo_express cyprus_post dachser
dawn_wing daylight_transport_llc db_schenker db_schenker_sweden dd_express_courier delcart
delhivery deliveryontime_logistics_pvt_ltd deltec_courier demandship detrack deutsche_post_dhl
deutsche_post_mail dex_i dhl dhl_2_mann_handling dhl_active_tracing dhl_benelux
dhl_ecommerce_asia dhl_ecommerce_us dhl_express_piece_id dhl_global_forwarding dhl_hong_kong
dhl_netherlands dhl_parcel_nl dhl_parcel_spain dhl_poland_domestic dhl_spain_domestic
dimerco_express_group direct_freight_express direct_link directlog dmm_network doora_logistics
dotzot dpd dpd_france dpd_germany dpd_hk dpd_ireland dpd_local dpd_local_reference dpd_poland
dpd_romania dpd_russia dpd_uk dpe_express dpe_south_africa dpex dpex_china dsv dtdc_australia
dtdc_express_global_pte_ltd dtdc_india dx dx_freight dynalogic_benelux_bv dynamic_logistics
eagle easy_mail ec_firstclass ecargo ecms_international_logistics_co_ltd ecom_express
efs_e_commerce_fulfillment_service ekart elta_hellenic_post emirates_post emps_express ensenda
envialia ep_box eparcel_korea equick_china estafeta estes etotal_solution_limited eurodis
expeditors ezship fastrak_services fastway_australia fastway_ireland fastway_new_zealand
fastway_south_africa fedex fedex_cross_border fedex_freight fedex_poland_domestic fedex_uk
fercam_logistics_transport first_flight_couriers first_logistics flyt_express gati_kwe gdex
geniki_taxydromiki geodis_distribution_express geodis_e_space giao_hang_nhanh globegistics_inc
gls gls_czech_republic gls_italy gls_netherlands gofly gojavas greyhound gsi_express
hermes_germany hermes_italy hermesworld holisol homedirect_logistics hong_kong_post
hrvatska_posta hua_han_logistics hunter_express i_parcel iceland_post idex imex_global_solutions
imx_mail india_post_domestic india_post_international inpost_paczkomaty
instant_tiong_nam_ebiz_express_sdn_bhd international_seur internet_express israel_post
israel_post_domestic italy_sda j_net j_t_express jam_express janco_ecommerce japan_post
jayon_express_jex jcex jersey_post jet_ship_worldwide jinsung_trading jne jocom jp_bh_posta jx
k1_express kangaroo_worldwide_express kerry_express_hong_kong kerry_express_thailand
kerry_express_vietnam_co_ltd kgm_hub kiala korea_post korea_post_ems kronos_express kuehne_nagel
la_poste landmark_global lao_post lasership lbc_express lht_express lietuvos_pastas
line_clear_express_logistics_sdn_bhd link_bridge_beijing_international_logistics_coltd
lion_parcel logistic_worldwide_express logwin_logistics lone_star_overnight m_xpress_sdn_bhd
magyar_posta mailamericas mailplus mainfreight malaysia_post_ems_pos_laju
malaysia_post_registered mara_xpress matdespatch matkahuolto mds_collivery_pty_ltd megasave
mexico_aeroflash mexico_redpack mexico_senda_express mikropakket mondial_relay mrw mudita
mxe_express myhermes_uk mypostonline nacex_spain nanjing_woyuan national_sameday
nationwide_express new_zealand_post newgistics newgistics_api nexive_tnt_post_italy
nhans_solutions nightline nim_express ninja_van ninja_van_indonesia ninja_van_malaysia
ninja_van_philippines ninja_van_thailand nipost norsk_global nova_poshta
nova_poshta_international oca_argentina old_dominion_freight_line omni_parcel omniva
one_world_express ontrac other packlink pal_express_limited pandu_logistics panther
panther_order_number panther_reference paquetexpress parcel_force parcel_post_singapore
parcelledin parcelpoint_pty_ltd paypal_package pfc_express pick_upp_mys_sgp pickupp
pilot_freight_services pitney_bowes pixsell_logistics poczta_polska portugal_ctt portugal_seur
pos_indonesia_domestic pos_indonesia_intl post56 post_danmark post_of_slovenia post_serbia
posta_romana poste_italiane poste_italiane_paccocelere posten_norge_bring posti postnl_domestic
postnl_international postnl_international_3s postnord_denmark postnord_logistics postnord_sweden
professional_couriers ptt_posta purolator qualitypost quantium qxpress raben_group
raf_philippines raiderex ram red_carpet_logistics redur_spain rincos rl_carriers
roadbull_logistics rocket_parcel_international royal_mail rpd2man_deliveries rpx_indonesia
rpx_online rrd_international_logistics_usa russian_post ruston rzy_express safexpress sagawa
saia_ltl_freight sailpost sap_express saudi_post scudex_express seino seko_logistics
sending_transporte_urgente_y_comunicacion_sau sendit sendle sf_express sf_international
sfc_service sgt_corriere_espresso shanghai_wise_supply_chain_management_co_ltd
shenzhen_jinghuada_logistics_co_ltd shippit shiptor shopfansru_llc
shree_maruti_courier_services_pvt_ltd shree_tirupati_courier_services_pvt_ltd shunyou_post
simplypost singapore_post singapore_speedpost siodemka skybox skynet_malaysia
skynet_world_wide_express_south_africa skynet_worldwide_express skynet_worldwide_express_uae
skynet_worldwide_express_uk skypostal smooth_couriers smsa_express south_african_post_office
spanish_seur specialised_freight spee_dee speed_couriers speedex_courier
spoton_logistics_pvt_ltd sre_korea star_track_courier star_track_express startrack sto_express
swiss_post taiwan_post taqbin_hong_kong taqbin_malaysia taqbin_singapore tcs teliway_sic_express
thailand_thai_post the_courier_guy tiki tipsa tnt tnt_australia tnt_click_italy tnt_france
tnt_italy tnt_post tnt_reference tnt_uk_reference toll_ipec toll_priority tolos trakpak
trans_kargo_internasional transmission tuffnells_parcels_express ubi_smart_parcel uk_mail
ukrposhta united_delivery_service_ltd ups ups_freight ups_mail_innovations usps vietnam_post
vietnam_post_ems viettelpost wahana wanbexpress wedo_logistics wepost_logistics whistl
wise_express wiseloads wishpost wndirect xdp_express xdp_express_reference xend_express
xl_express xpostph xpressbees xq_express yakit yamato_japan yanwen yodel_domestic
yodel_international yrc yto_express yun_express yunda_express zeptoexpress zinc
zjs_international zto_express zyllem
`
